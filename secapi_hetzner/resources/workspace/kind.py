"""The workspace kind: instant (no Hetzner work), deletable only when empty."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import DeleteCheck, Kind
from secapi_hetzner.scope import APIS_BY_SLUG
from secapi_hetzner.store.repository import Resource, ResourceRepository


class WorkspaceKind(Kind):
    api = APIS_BY_SLUG["workspace"]
    kind = "workspace"
    collection = "workspaces"
    scope = "tenant"
    names_a_scope = True

    def admit(self, request: Admission) -> dict[str, Any]:
        return {"resourceCount": 0}

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        by_tenant: dict[str, list[Resource]] = {}
        for resource in resources:
            by_tenant.setdefault(resource.key.tenant, []).append(resource)
        counted: dict[UUID, dict[str, Any]] = {}
        for tenant, workspaces in by_tenant.items():
            counts = repository.count_children_of_workspaces(tenant, [w.key.name for w in workspaces])
            counted.update({w.id: {"resourceCount": counts.get(w.key.name, 0)} for w in workspaces})
        return counted

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        """A workspace with live resources is not deleted (412, as the conformance suite expects;
        upstream's later spec says 409 — docs/compatibility.md)."""
        count = check.workspace_children(resource.key.tenant, resource.key.name)
        if count:
            raise errors.PreconditionFailed(
                f"Workspace {resource.key.name!r} still holds {count} resource(s); delete them first.")


WORKSPACE = WorkspaceKind()
