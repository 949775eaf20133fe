"""seca.storage v1."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from handlers._catalog import get_one, list_page
from handlers._resources import delete_resource, get_resource, list_resources, place, put_resource
from secapi_hetzner.app import render
from secapi_hetzner.app.context import deleted_mode
from secapi_hetzner.app.services import current
from secapi_hetzner.metadata import list_metadata
from secapi_hetzner.resources.block_storage import BLOCK_STORAGE
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.image import IMAGE
from secapi_hetzner.scope import STORAGE
from secapi_hetzner.services import images
from secapi_hetzner.settings import LIST_DEFAULT_LIMIT

SKUS = Catalog.storage_skus


async def list_skus(tenant: str, labels: str | None = None, limit: int | None = None,
                    skip_token: str | None = None) -> Response:
    return await list_page(STORAGE, "skus", SKUS, tenant, labels, limit, skip_token)


async def get_sku(tenant: str, name: str) -> Response:
    return await get_one(STORAGE, SKUS, tenant, name, "Storage SKU")


def list_images(tenant: str, labels: str | None = None, limit: int | None = None,
                skip_token: str | None = None) -> render.Reply:
    """The system images, then the tenant's own (docs/compatibility.md, Images)."""
    items, token = images.images_page(current().resource_service, current().catalog, place(tenant), labels=labels,
                                     limit=limit or LIST_DEFAULT_LIMIT, skip_token=skip_token, deleted=deleted_mode())
    return {"items": items, "metadata": list_metadata(STORAGE, "images", "GET", token)}, 200


def get_image(tenant: str, name: str) -> render.Reply:
    return images.get_image(current().resource_service, current().catalog, place(tenant), name), 200


def create_or_update_image(tenant: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(IMAGE, place(tenant), name, body)  # a system image's name: 412 (admission)


def delete_image(tenant: str, name: str) -> render.Accepted:
    images.refuse_system_image(current().resource_service, current().catalog, place(tenant), name)
    return delete_resource(IMAGE, place(tenant), name)


async def list_block_storages(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                              skip_token: str | None = None) -> Response:
    return await list_resources(BLOCK_STORAGE, place(tenant, workspace), labels, limit, skip_token)


async def get_block_storage(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(BLOCK_STORAGE, place(tenant, workspace), name)


def create_or_update_block_storage(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(BLOCK_STORAGE, place(tenant, workspace), name, body)


def delete_block_storage(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(BLOCK_STORAGE, place(tenant, workspace), name)
