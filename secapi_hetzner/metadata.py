"""SECA metadata blocks, computed (never taken from a request body). Pure.

``resource`` is the path of the object relative to its tenant scope (``skus/cx23``,
``workspaces/ws``, ``networks/n/subnets/s``) and ``ref`` the URN ``<provider>/<scope>/<resource>``,
as the official conformance suite and SDK expect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from secapi_hetzner.scope import Api


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def tenant_scope(tenant: str, workspace: str = "") -> str:
    return f"tenants/{tenant}/workspaces/{workspace}" if workspace else f"tenants/{tenant}"


def base_metadata(api: Api, kind: str, name: str, resource: str, scope: str, verb: str) -> dict[str, Any]:
    ref = f"{api.provider}/{scope}/{resource}" if scope else f"{api.provider}/{resource}"
    return {
        "name": name,
        "provider": api.provider,
        "resource": resource,
        "verb": verb,
        "apiVersion": api.version,
        "kind": kind,
        "ref": ref,
    }


def modification(created: datetime, modified: datetime, version: int,
                 deleted: datetime | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "createdAt": rfc3339(created),
        "lastModifiedAt": rfc3339(modified),
        "resourceVersion": version,
    }
    if deleted is not None:
        block["deletedAt"] = rfc3339(deleted)
    return block


def sku_metadata(api: Api, kind: str, tenant: str, region: str, name: str, verb: str) -> dict[str, Any]:
    meta = base_metadata(api, kind, name, f"skus/{name}", tenant_scope(tenant), verb)
    meta.update(tenant=tenant, region=region)
    return meta


def list_metadata(api: Api, resource: str, verb: str, skip_token: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"provider": api.provider, "resource": resource, "verb": verb}
    if skip_token:
        meta["skipToken"] = skip_token
    return meta
