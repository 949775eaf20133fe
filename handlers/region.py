"""seca.region v1: regions are Hetzner network zones (catalog answers, see handlers/_catalog.py)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from handlers._catalog import answer
from secapi_hetzner.app import render
from secapi_hetzner.app.services import current
from secapi_hetzner.scope import REGION


async def list_regions(labels: str | None = None, limit: int | None = None,
                       skip_token: str | None = None) -> Response:
    def build() -> dict[str, Any]:
        return render.catalog_page(REGION, "regions", current().catalog.regions(), labels=labels, limit=limit,
                                   skip_token=skip_token)[0]

    return await answer(("regions", labels, limit, skip_token), build)


async def get_region(name: str) -> Response:
    return await answer(("region", name), lambda: current().catalog.region(name).body)
