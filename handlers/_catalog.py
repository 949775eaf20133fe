"""Shared list/get plumbing for the read-only catalog collections."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from secapi_hetzner.app import render
from secapi_hetzner.app.context import current_region, deleted_mode
from secapi_hetzner.app.services import current
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.catalog.service import CatalogItem, find
from secapi_hetzner.scope import Api

Source = Callable[[Catalog, str, str], Sequence[CatalogItem]]


def list_page(api: Api, collection: str, source: Source, tenant: str, labels: str | None,
              limit: int | None, skip_token: str | None) -> render.Reply:
    items = source(current().catalog, tenant, current_region())
    return render.catalog_page(api, collection, items, labels=labels, limit=limit, skip_token=skip_token,
                               deleted=deleted_mode())


def get_one(source: Source, tenant: str, name: str, what: str) -> render.Reply:
    return render.resource(find(list(source(current().catalog, tenant, current_region())), name, what).body)
