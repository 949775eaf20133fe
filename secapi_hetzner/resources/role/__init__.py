"""Roles (seca.authorization): named sets of permissions that role assignments grant. Kept in
PostgreSQL only: Hetzner has no per-user permissions inside a project (this service is the gatekeeper)."""

from secapi_hetzner.resources.role.kind import ROLE

__all__ = ["ROLE"]
