"""seca.workspace v1."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from handlers._resources import delete_resource, get_resource, list_resources, place, put_resource
from secapi_hetzner.app import render
from secapi_hetzner.resources.workspace import WORKSPACE


async def list_workspaces(tenant: str, labels: str | None = None, limit: int | None = None,
                          skip_token: str | None = None) -> Response:
    return await list_resources(WORKSPACE, place(tenant), labels, limit, skip_token)


async def get_workspace(tenant: str, name: str) -> Response:
    return await get_resource(WORKSPACE, place(tenant), name)


def create_or_update_workspace(tenant: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(WORKSPACE, place(tenant), name, body)


def delete_workspace(tenant: str, name: str) -> render.Accepted:
    return delete_resource(WORKSPACE, place(tenant), name)
