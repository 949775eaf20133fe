"""The role kind: instant (no Hetzner object), tenant-wide, global (no region)."""

from __future__ import annotations

from typing import Any

from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.role.model import RoleSpec
from secapi_hetzner.scope import APIS_BY_SLUG


class RoleKind(Kind):
    api = APIS_BY_SLUG["authorization"]
    kind = "role"
    collection = "roles"
    scope = "tenant"

    def admit(self, request: Admission) -> dict[str, Any]:
        RoleSpec.parse(request.spec)  # 412 naming the permission field that is wrong
        return {}


ROLE = RoleKind()
