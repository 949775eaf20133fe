"""Shared list/get plumbing for the read-only catalog collections.

Catalog answers are rendered once per catalog snapshot and served as bytes with their ``ETag``
(:mod:`secapi_hetzner.app.rendered`); these handlers are ``async``: a kept answer is served on the event
loop, only rendering a new one (and the first catalog load) runs in a thread."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from secapi_hetzner.app import render
from secapi_hetzner.app.context import current_region, deleted_mode
from secapi_hetzner.app.rendered import Rendered
from secapi_hetzner.app.services import current
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.catalog.service import CatalogItem, find
from secapi_hetzner.scope import Api

Source = Callable[[Catalog, str, str], Sequence[CatalogItem]]


async def answer(key: Hashable, build: Callable[[], dict[str, Any]]) -> Response:
    """The kept answer for ``key`` under the current catalog snapshot, else ``build()`` rendered (in a
    thread: it may wait on the first catalog load) and kept."""
    services = current()
    snapshot = services.catalog.cache.peek()
    found = services.answers.get(snapshot, key) if snapshot is not None else None
    if found is None:
        found = await run_in_threadpool(_render, key, build)
    return found.response()


def _render(key: Hashable, build: Callable[[], dict[str, Any]]) -> Rendered:
    services = current()
    return services.answers.render(services.catalog.cache.get(), key, build)


async def list_page(api: Api, collection: str, source: Source, tenant: str, labels: str | None,
                    limit: int | None, skip_token: str | None) -> Response:
    region, deleted = current_region(), deleted_mode()

    def build() -> dict[str, Any]:
        return render.catalog_page(api, collection, source(current().catalog, tenant, region), labels=labels,
                                   limit=limit, skip_token=skip_token, deleted=deleted)[0]

    return await answer(("list", api.provider, collection, tenant, region, labels, limit, skip_token, deleted),
                        build)


async def get_one(api: Api, source: Source, tenant: str, name: str, what: str) -> Response:
    region = current_region()

    def build() -> dict[str, Any]:
        return find(list(source(current().catalog, tenant, region)), name, what).body

    return await answer(("one", api.provider, what, tenant, region, name), build)
