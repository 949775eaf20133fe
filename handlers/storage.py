"""seca.storage v1."""

from __future__ import annotations

from handlers._catalog import get_one, list_page
from secapi_hetzner.app import render
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
