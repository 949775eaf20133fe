"""seca.region v1: regions are Hetzner network zones."""

from __future__ import annotations

from secapi_hetzner.app import render
from secapi_hetzner.app.services import current
from secapi_hetzner.scope import REGION


def list_regions(labels: str | None = None, limit: int | None = None, skip_token: str | None = None) -> render.Reply:
    return render.catalog_page(REGION, "regions", current().catalog.regions(), labels=labels, limit=limit,
                               skip_token=skip_token)


def get_region(name: str) -> render.Reply:
    return render.resource(current().catalog.region(name).body)
