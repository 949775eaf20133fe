"""Shared plumbing for the handlers of engine-backed kinds (list, get, put, delete, actions).

Every rule of a kind (admission, delete refusal, action checks, live status) is applied by the
resource service from the kind itself: handlers only name the kind and the place."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from secapi_hetzner import jsoncodec
from secapi_hetzner.app import access, render
from secapi_hetzner.app.context import current_region, deleted_mode, if_unmodified_since
from secapi_hetzner.app.readonly import submitted_metadata
from secapi_hetzner.app.services import current
from secapi_hetzner.metadata import list_metadata
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.present import present
from secapi_hetzner.services import Place
from secapi_hetzner.services.reads import list_body
from secapi_hetzner.settings import LIST_DEFAULT_LIMIT


def place(tenant: str, workspace: str = "", network: str = "") -> Place:
    return Place(tenant, workspace, network, current_region())


async def list_resources(kind: Kind, where: Place, labels: str | None, limit: int | None,
                         skip_token: str | None) -> Response:
    """A page, read on the event loop (:mod:`secapi_hetzner.services.reads`); in a thread only when this loop
    is not the one the read pool belongs to."""
    collection = f"networks/{where.parent}/{kind.collection}" if kind.scope == "network" else kind.collection
    reads = current().reads
    if not reads.usable():
        return _json(await run_in_threadpool(_list_in_thread, kind, where, labels, limit, skip_token, collection))
    items, token = await reads.list_page(kind, where, labels=labels, limit=limit or LIST_DEFAULT_LIMIT,
                                         skip_token=skip_token, deleted=deleted_mode(), visible=access.visibility())
    return _bytes(list_body(items, list_metadata(kind.api, collection, "GET", token)))


def _list_in_thread(kind: Kind, where: Place, labels: str | None, limit: int | None, skip_token: str | None,
                    collection: str) -> dict[str, Any]:
    items, token = current().resource_service.list_page(kind, where, labels=labels,
                                                        limit=limit or LIST_DEFAULT_LIMIT, skip_token=skip_token,
                                                        deleted=deleted_mode(), visible=access.visibility())
    return {"items": [present(kind, item, "GET") for item in items],
            "metadata": list_metadata(kind.api, collection, "GET", token)}


async def get_resource(kind: Kind, where: Place, name: str) -> Response:
    reads = current().reads
    if not reads.usable():
        return _json(await run_in_threadpool(_get_in_thread, kind, where, name))
    return _bytes(await reads.read(kind, where, name) + b"\n")


def _get_in_thread(kind: Kind, where: Place, name: str) -> dict[str, Any]:
    return present(kind, current().resource_service.read(kind, where, name), "GET")


def _json(body: dict[str, Any]) -> Response:
    return _bytes(jsoncodec.encode(body))


def _bytes(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def put_resource(kind: Kind, where: Place, name: str, body: dict[str, Any]) -> render.Reply:
    applied = current().resource_service.apply(kind, where, name, body, if_unmodified_since(), submitted_metadata())
    return present(kind, applied.resource, "PUT"), 201 if applied.created else 200


def delete_resource(kind: Kind, where: Place, name: str) -> render.Accepted:
    current().resource_service.delete(kind, where, name, if_unmodified_since())
    return render.accepted()


def act_on(kind: Kind, where: Place, name: str, action: str) -> render.Reply:
    resource = current().resource_service.act(kind, where, name, action, if_unmodified_since())
    return present(kind, resource, "POST"), 202
