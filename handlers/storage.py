"""seca.storage v1."""

from __future__ import annotations

from typing import Any

from handlers._catalog import get_one, list_page
from handlers._resources import delete_resource, get_resource, list_resources, place, put_resource
from secapi_hetzner.app import render
from secapi_hetzner.app.services import current
from secapi_hetzner.resources.block_storage import BLOCK_STORAGE, refuse_while_in_use
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.scope import STORAGE

SKUS = Catalog.storage_skus
IMAGES = Catalog.system_images


def list_skus(tenant: str, labels: str | None = None, limit: int | None = None,
              skip_token: str | None = None) -> render.Reply:
    return list_page(STORAGE, "skus", SKUS, tenant, labels, limit, skip_token)


def get_sku(tenant: str, name: str) -> render.Reply:
    return get_one(SKUS, tenant, name, "Storage SKU")


def list_images(tenant: str, labels: str | None = None, limit: int | None = None,
                skip_token: str | None = None) -> render.Reply:
    return list_page(STORAGE, "images", IMAGES, tenant, labels, limit, skip_token)


def get_image(tenant: str, name: str) -> render.Reply:
    return get_one(IMAGES, tenant, name, "Image")


def list_block_storages(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                        skip_token: str | None = None) -> render.Reply:
    return list_resources(BLOCK_STORAGE, place(tenant, workspace), labels, limit, skip_token)


def get_block_storage(tenant: str, workspace: str, name: str) -> render.Reply:
    return get_resource(BLOCK_STORAGE, place(tenant, workspace), name)


def create_or_update_block_storage(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(BLOCK_STORAGE, place(tenant, workspace), name, body)


def delete_block_storage(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(BLOCK_STORAGE, place(tenant, workspace), name, refuse_while_in_use(current().engine))
