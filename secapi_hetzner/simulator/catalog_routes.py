"""Read-only catalog routes: locations, server types, and the removed datacenters endpoints (410)."""

from __future__ import annotations

from typing import Final

from .catalog import CATALOG, render
from .errors import SimError, not_found
from .routing import Ctx, Reply, Route, list_reply

DATACENTERS_ANNOUNCEMENT: Final = "https://docs.hetzner.cloud/changelog#2026-06-02-datacenters-deprecated"


def list_locations(ctx: Ctx) -> Reply:
    return list_reply(ctx, "locations", CATALOG.locations, render, sorts=("id", "name"), selectable=False)


def get_location(ctx: Ctx) -> Reply:
    location = CATALOG.location(ctx.id)
    if location is None:
        raise not_found("location", ctx.id)
    return Reply(200, {"location": render(location)})


def list_server_types(ctx: Ctx) -> Reply:
    return list_reply(
        ctx, "server_types", CATALOG.server_types, render, sorts=("id", "name"), selectable=False
    )


def get_server_type(ctx: Ctx) -> Reply:
    server_type = CATALOG.server_type(ctx.id)
    if server_type is None:
        raise not_found("server_type", ctx.id)
    return Reply(200, {"server_type": render(server_type)})


def datacenters_gone(ctx: Ctx) -> Reply:
    raise SimError(
        "deprecated_api_endpoint",
        "The datacenters endpoint was removed; use locations and server_types[].locations instead",
        {"announcement": DATACENTERS_ANNOUNCEMENT},
    )


ROUTES: Final = [
    Route("GET", "/locations", list_locations),
    Route("GET", "/locations/{id}", get_location),
    Route("GET", "/server_types", list_server_types),
    Route("GET", "/server_types/{id}", get_server_type),
    Route("GET", "/datacenters", datacenters_gone),
    Route("GET", "/datacenters/{id}", datacenters_gone),
]
