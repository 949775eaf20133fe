"""Public IPs: Hetzner primary IPs (IPv4 address or IPv6 /64), assigned to a server through a NIC."""

from secapi_hetzner.resources.public_ip import usage
from secapi_hetzner.resources.public_ip.kind import PUBLIC_IP

__all__ = ["PUBLIC_IP", "usage"]
