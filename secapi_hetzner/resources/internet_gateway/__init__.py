"""Internet gateways: logical objects (Hetzner has none); their effect is public interfaces."""

from secapi_hetzner.resources.internet_gateway.kind import INTERNET_GATEWAY

__all__ = ["INTERNET_GATEWAY"]
