"""Security groups: Hetzner firewalls holding the group's inline rules and its referenced rules."""

from secapi_hetzner.resources.security_group import usage
from secapi_hetzner.resources.security_group.kind import SECURITY_GROUP

__all__ = ["SECURITY_GROUP", "usage"]
