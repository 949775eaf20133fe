"""Instances: Hetzner servers."""

from secapi_hetzner.resources.instance.kind import INSTANCE, check_power_action

__all__ = ["INSTANCE", "check_power_action"]
