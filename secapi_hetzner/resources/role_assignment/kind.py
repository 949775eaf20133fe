"""The role assignment kind: instant, tenant-wide, global (no region).

Admission refuses what can be known wrong now: a scope reaching another tenant (or all tenants: an
assignment never reaches past the tenant it belongs to) and a region this provider does not have.
Roles and workspaces are looked up when a request is authorised, not here: the official suite assigns
roles before creating them and scopes assignments to workspaces that do not exist yet, so a missing one
is accepted and grants nothing until it exists."""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.role_assignment.model import RoleAssignmentSpec
from secapi_hetzner.scope import APIS_BY_SLUG


class RoleAssignmentKind(Kind):
    api = APIS_BY_SLUG["authorization"]
    kind = "role-assignment"
    collection = "role-assignments"
    scope = "tenant"

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = RoleAssignmentSpec.parse(request.spec)
        listed = any(scope.regions for scope in spec.scopes)
        regions = {view.name for view in request.catalog.region_views()} if listed else set()
        for index, scope in enumerate(spec.scopes):
            for item, tenant in enumerate(scope.tenants):
                if tenant != request.tenant:
                    raise errors.PreconditionFailed(
                        f"spec.scopes[{index}].tenants[{item}]: {tenant!r} is not this tenant ({request.tenant!r}); "
                        "an assignment applies inside the tenant it belongs to only.",
                        pointer=f"/spec/scopes/{index}/tenants/{item}")
            for item, region in enumerate(scope.regions):
                if region not in regions:
                    raise errors.PreconditionFailed(
                        f"spec.scopes[{index}].regions[{item}]: region {region!r} does not exist "
                        f"({', '.join(sorted(regions))}).", pointer=f"/spec/scopes/{index}/regions/{item}")
        return {}


ROLE_ASSIGNMENT = RoleAssignmentKind()
