"""The Hetzner OpenAPI document (reference data in ../shared, read, never copied) plus the 2026 overlay.

The document dates from 2026-02-20; the API changed after that (FACTS.md §2.4). Each change is applied
to the loaded document here, explicitly, so the contract test checks the simulator against the API as
it is now rather than as it was. The overlay tightens where a change adds something (the simulator
must then send it) and relaxes only where a change removed something.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from tests.conftest import HCLOUD_OPENAPI as SPEC_PATH  # the reference data, wherever it is

Schema = dict[str, Any]
DATE_TIME = {"type": "string", "format": "date-time"}
DEPRECATION = {
    "type": "object",
    "nullable": True,
    "required": ["announced", "unavailable_after"],
    "properties": {"announced": DATE_TIME, "unavailable_after": DATE_TIME},
}


def _schemas(node: Any) -> Iterator[Schema]:
    """Every object schema in the document (properties-bearing dicts), depth first."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)


def _forbid(schema: Schema, name: str) -> None:
    """Drop ``name`` from the schema and reject objects that still carry it."""
    schema["required"] = [r for r in schema.get("required", []) if r != name]
    schema["properties"].pop(name, None)
    schema.setdefault("allOf", []).append({"not": {"required": [name]}})


def datacenter_removed(schema: Schema) -> None:
    # 2026-07-01 "datacenters removed": Server and Primary IP lose `datacenter`; the top-level
    # `location` object (already in the document) replaces it.
    props = schema["properties"]
    if "datacenter" in props and "location" in props:
        _forbid(schema, "datacenter")


def server_type_offers(schema: Schema) -> None:
    # 2025-09-24 "per-location server types" + 2026-04-01 "datacenter deprecations": every entry of
    # `server_type.locations[]` carries `available` and `recommended` (hcloud 2.27 requires them).
    if set(schema["properties"]) == {"id", "name", "deprecation"}:
        schema["properties"]["available"] = {"type": "boolean"}
        schema["properties"]["recommended"] = {"type": "boolean"}
        schema["required"] = sorted({*schema.get("required", []), "available", "recommended"})


def primary_ip_unassigned(schema: Schema) -> None:
    # 2026-04-27 "Primary IP assignee_type": `"unassigned"` while `assignee_id` is null.
    props = schema["properties"]
    if "assignee_type" in props and "assignee_id" in props and "enum" in props["assignee_type"]:
        props["assignee_type"]["enum"] = [*props["assignee_type"]["enum"], "unassigned"]


def image_deprecated_removed(schema: Schema) -> None:
    # 2026-09-08 "removing the deprecated field" (hcloud 2.24+): images drop `deprecated` and carry a
    # `deprecation` object {announced, unavailable_after} or null instead.
    props = schema["properties"]
    if "os_flavor" in props and "deprecated" in props:
        _forbid(schema, "deprecated")
        props["deprecation"] = DEPRECATION
        schema["required"] = [*schema["required"], "deprecation"]


# Changes that need no edit of the document, listed for completeness:
# - 2025-01-30 `GET /actions` requires `id`: the document already marks `id` required.
# - 2026-06-02 `GET /datacenters[/{id}]` answers 410 `deprecated_api_endpoint`: validated against
#   the documented `4XX` error envelope.
# - 2026-04-30 / 2026-10-05 load balancer changes: the simulator serves no load balancer routes.
OVERLAY: list[Callable[[Schema], None]] = [
    datacenter_removed,
    server_type_offers,
    primary_ip_unassigned,
    image_deprecated_removed,
]


def load_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    for schema in list(_schemas(document)):
        for change in OVERLAY:
            change(schema)
    return document
