"""seca.compute v1."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from handlers._catalog import get_one, list_page
from handlers._resources import act_on, delete_resource, get_resource, list_resources, place, put_resource
from secapi_hetzner.app import render
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.instance import INSTANCE
from secapi_hetzner.scope import COMPUTE

SKUS = Catalog.compute_skus


async def list_skus(tenant: str, labels: str | None = None, limit: int | None = None,
                    skip_token: str | None = None) -> Response:
    return await list_page(COMPUTE, "skus", SKUS, tenant, labels, limit, skip_token)


async def get_sku(tenant: str, name: str) -> Response:
    return await get_one(COMPUTE, SKUS, tenant, name, "Compute SKU")


async def list_instances(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                         skip_token: str | None = None) -> Response:
    return await list_resources(INSTANCE, place(tenant, workspace), labels, limit, skip_token)


async def get_instance(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(INSTANCE, place(tenant, workspace), name)


def create_or_update_instance(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(INSTANCE, place(tenant, workspace), name, body)


def delete_instance(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(INSTANCE, place(tenant, workspace), name)


def start_instance(tenant: str, workspace: str, name: str) -> render.Reply:
    return act_on(INSTANCE, place(tenant, workspace), name, "start")


def stop_instance(tenant: str, workspace: str, name: str) -> render.Reply:
    return act_on(INSTANCE, place(tenant, workspace), name, "stop")


def restart_instance(tenant: str, workspace: str, name: str) -> render.Reply:
    return act_on(INSTANCE, place(tenant, workspace), name, "restart")
