"""Security group rules: logical objects (no Hetzner object of their own) that security groups share
through ``ruleRefs``; a change re-programmes the firewalls of the groups that reference the rule."""

from secapi_hetzner.resources.security_group_rule.kind import SECURITY_GROUP_RULE

__all__ = ["SECURITY_GROUP_RULE"]
