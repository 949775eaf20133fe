"""NICs: a server's attachment to a Hetzner network, with its public IPs and firewalls, carried by the
instance that references the NIC."""

from secapi_hetzner.resources.nic.kind import NIC

__all__ = ["NIC"]
