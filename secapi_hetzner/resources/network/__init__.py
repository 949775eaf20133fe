"""Networks: Hetzner networks, the scope of subnets and route tables."""

from secapi_hetzner.resources.network import usage
from secapi_hetzner.resources.network.kind import NETWORK_KIND

__all__ = ["NETWORK_KIND", "usage"]
