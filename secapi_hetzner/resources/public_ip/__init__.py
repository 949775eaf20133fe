"""Public IPs: Hetzner primary IPs (IPv4 address or IPv6 /64), unassigned until a NIC uses them."""

from secapi_hetzner.resources.public_ip.kind import PUBLIC_IP

__all__ = ["PUBLIC_IP"]
