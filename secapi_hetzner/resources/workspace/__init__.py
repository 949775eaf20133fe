"""Workspaces: a scope inside the tenant's Hetzner project. No Hetzner object of their own: every
object created in a workspace carries the workspace's resource id in its ownership labels."""

from secapi_hetzner.resources.workspace.kind import WORKSPACE

__all__ = ["WORKSPACE"]
