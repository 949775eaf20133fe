"""The workspace kind: instant (no Hetzner work), deletable only when empty."""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.scope import APIS_BY_SLUG
from secapi_hetzner.store.resources import Resource, Resources


def admit(request: Admission) -> dict[str, Any]:
    return {"resourceCount": 0}


def resource_count(resources: Resources, workspace: Resource) -> dict[str, Any]:
    return {"resourceCount": resources.count_workspace_children(workspace.key.tenant, workspace.key.name)}


WORKSPACE = Kind(api=APIS_BY_SLUG["workspace"], kind="workspace", collection="workspaces", scope="tenant",
                 admit=admit, live_status=resource_count)


def refuse_while_children(resources: Resources) -> Any:
    """The delete guard: a workspace with live resources is not deleted (412, as the conformance suite
    expects; upstream's later spec says 409 — docs/compatibility.md)."""

    def guard(current: Resource, conn: Any) -> None:
        count = resources.count_workspace_children(current.key.tenant, current.key.name, conn)
        if count:
            raise errors.PreconditionFailed(
                f"Workspace {current.key.name!r} still holds {count} resource(s); delete them first.")

    return guard
