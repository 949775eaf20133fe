"""Shared plumbing for the handlers of engine-backed kinds (list, get, put, delete, actions)."""

from __future__ import annotations

from typing import Any

from secapi_hetzner.app import render
from secapi_hetzner.app.context import current_region, deleted_mode, if_unmodified_since
from secapi_hetzner.app.readonly import submitted_metadata
from secapi_hetzner.app.services import current
from secapi_hetzner.metadata import list_metadata
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.present import present
from secapi_hetzner.resources.service import Place
from secapi_hetzner.settings import LIST_DEFAULT_LIMIT


def place(tenant: str, workspace: str = "", network: str = "") -> Place:
    return Place(tenant, workspace, network, current_region())


def body_of(kind: Kind, resource: Any, verb: str) -> dict[str, Any]:
    body = present(kind, resource, verb)
    if kind.live_status is not None and resource.purged_at is None:
        body["status"] = {**body["status"], **kind.live_status(current().engine.resources, resource)}
    return body


def list_resources(kind: Kind, where: Place, labels: str | None, limit: int | None,
                   skip_token: str | None) -> render.Reply:
    items, token = current().engine.list_page(kind, where, labels=labels, limit=limit or LIST_DEFAULT_LIMIT,
                                              skip_token=skip_token, deleted=deleted_mode())
    collection = f"networks/{where.parent}/{kind.collection}" if kind.scope == "network" else kind.collection
    return {"items": [body_of(kind, item, "GET") for item in items],
            "metadata": list_metadata(kind.api, collection, "GET", token)}, 200


def get_resource(kind: Kind, where: Place, name: str) -> render.Reply:
    return body_of(kind, current().engine.read(kind, where, name), "GET"), 200


def put_resource(kind: Kind, where: Place, name: str, body: dict[str, Any]) -> render.Reply:
    applied = current().engine.apply(kind, where, name, body, if_unmodified_since(), submitted_metadata())
    return body_of(kind, applied.resource, "PUT"), 201 if applied.created else 200


def delete_resource(kind: Kind, where: Place, name: str, refuse_if: Any = None) -> render.Accepted:
    current().engine.delete(kind, where, name, if_unmodified_since(), refuse_if)
    return None, 202


def act_on(kind: Kind, where: Place, name: str, action: str, check: Any) -> render.Reply:
    resource = current().engine.act(kind, where, name, action, if_unmodified_since(), check)
    return body_of(kind, resource, "POST"), 202
