"""A stored resource as the SECA JSON object a client reads. Pure."""

from __future__ import annotations

from typing import Any

from secapi_hetzner.metadata import base_metadata, modification, tenant_scope
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.store.repository import Resource


def resource_path(kind: Kind, resource: Resource) -> str:
    parent = f"networks/{resource.key.parent}/" if kind.scope == "network" else ""
    return f"{parent}{kind.collection}/{resource.key.name}"


def present(kind: Kind, resource: Resource, verb: str) -> dict[str, Any]:
    key = resource.key
    metadata = base_metadata(kind.api, kind.kind, key.name, resource_path(kind, resource),
                             tenant_scope(key.tenant, key.workspace), verb)
    metadata["tenant"] = key.tenant
    if key.workspace:
        metadata["workspace"] = key.workspace
    if kind.scope == "network":
        metadata["network"] = key.parent
    if resource.region:
        metadata["region"] = resource.region
    metadata.update(modification(resource.created_at, resource.last_modified_at, resource.resource_version,
                                 resource.deleted_at))
    body: dict[str, Any] = {}
    for field in ("labels", "annotations", "extensions"):
        value = getattr(resource, field)
        if value is not None:
            body[field] = value
    body.update(metadata=metadata, spec=resource.spec, status=resource.status)
    return body
