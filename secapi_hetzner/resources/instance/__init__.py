"""Instances: Hetzner servers."""

from secapi_hetzner.resources.instance import usage
from secapi_hetzner.resources.instance.kind import INSTANCE

__all__ = ["INSTANCE", "usage"]
