"""Role assignments (seca.authorization): which subjects get which roles, in which scopes. Kept in
PostgreSQL only, like roles."""

from secapi_hetzner.resources.role_assignment.kind import ROLE_ASSIGNMENT

__all__ = ["ROLE_ASSIGNMENT"]
