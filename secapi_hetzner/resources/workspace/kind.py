"""The workspace kind: instant (no Hetzner work), deletable only when empty."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

    live_reads = "children"

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        by_tenant: dict[str, list[Resource]] = {}
        for resource in resources:
            by_tenant.setdefault(resource.key.tenant, []).append(resource)
        children: dict[UUID, int] = {}
        for tenant, workspaces in by_tenant.items():
            counts = repository.count_children_of_workspaces(tenant, [w.key.name for w in workspaces])
            children.update({w.id: counts.get(w.key.name, 0) for w in workspaces})
        return self.live_status_of_counts(resources, children)

    def live_status_of_counts(self, resources: Sequence[Resource],
                              children: Mapping[UUID, int]) -> dict[UUID, dict[str, Any]]:
        return {w.id: {"resourceCount": children.get(w.id, 0)} for w in resources}

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        """A workspace with live resources is not deleted (412, as the conformance suite expects;
        upstream's later spec says 409 — docs/compatibility.md)."""
        count = check.workspace_children(resource.key.tenant, resource.key.name)
        if count:
            raise errors.PreconditionFailed(
                f"Workspace {resource.key.name!r} still holds {count} resource(s); delete them first.")


WORKSPACE = WorkspaceKind()
