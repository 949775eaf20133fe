"""Images: the shared system images plus each project's snapshots and backups.

Snapshots are created by ``POST /servers/{id}/actions/create_image`` (see :func:`new_image`); they
start ``creating`` and become ``available`` when that action succeeds. Deprecated images are left
out of lists unless ``include_deprecated=true``; since 2026-09-08 images carry a ``deprecation``
object instead of the removed ``deprecated`` timestamp.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, Final

from . import catalog
from .common import ensure_deletable, protection_handler
from .errors import SimError, not_found
from .inputs import one_of, opt_str
from .labels import validate_labels
from .model import Project, Record
from .routing import Ctx, Filter, Reply, Route, field_in, list_reply, one

KIND: Final = "image"
TYPES: Final = ("system", "app", "snapshot", "backup")
STATUSES: Final = ("available", "creating", "unavailable")


def render(project: Project, record: Record) -> Record:
    return copy.deepcopy(record)


def _all(project: Project) -> Iterator[Record]:
    yield from catalog.CATALOG.images
    yield from project.store(KIND).values()


def find_image(project: Project, ident: object, architecture: str | None = None) -> Record | None:
    """A system image or one of the project's images, by id or name (names only match system images)."""
    found = catalog.CATALOG.image(ident, architecture)
    if found is None and (isinstance(ident, int) or (isinstance(ident, str) and ident.isdigit())):
        found = project.store(KIND).get(int(ident))
    return found


def new_image(
    project: Project, server: Record, kind: str, description: str | None, labels: dict[str, str]
) -> Record:
    """A ``creating`` snapshot or backup of ``server``'s disk."""
    origin = find_image(project, server["image"]) if server.get("image") else None
    origin = origin or {}
    disk = server["primary_disk_size"]
    record: dict[str, Any] = {
        "type": kind,
        "status": "creating",
        "name": None,
        "description": description or f"{server['name']}-snapshot",
        "image_size": round(min(disk, 1.2 + disk * 0.02), 2),
        "disk_size": disk,
        "created_from": {"id": server["id"], "name": server["name"]},
        "bound_to": server["id"] if kind == "backup" else None,
        "os_flavor": origin.get("os_flavor", "unknown"),
        "os_version": origin.get("os_version"),
        "architecture": server["architecture"],
        "rapid_deploy": False,
        "protection": {"delete": False},
        "deprecation": None,
        "deleted": None,
        "labels": labels,
    }
    return project.insert(KIND, record)


def list_images(ctx: Ctx) -> Reply:
    records = list(_all(ctx.project))
    if (ctx.q("include_deprecated") or "").lower() not in ("true", "1"):
        records = [r for r in records if r.get("deprecation") is None]
    filters = [
        Filter("type", field_in("type"), TYPES),
        Filter("status", field_in("status"), STATUSES),
        Filter("architecture", field_in("architecture"), ("x86", "arm")),
        Filter("bound_to", field_in("bound_to")),
    ]
    return list_reply(ctx, "images", records, lambda r: render(ctx.project, r), filters=filters)


def get_image(ctx: Ctx) -> Reply:
    found = find_image(ctx.project, ctx.id)
    if found is None:
        raise not_found("image", ctx.id)
    return one("image", render(ctx.project, found))


def _own(ctx: Ctx) -> Record:
    if catalog.CATALOG.image(ctx.id) is not None:
        raise SimError("forbidden", "system images cannot be changed", {})
    return ctx.project.get(KIND, ctx.id)


def update_image(ctx: Ctx) -> Reply:
    record = _own(ctx)
    if "type" in ctx.body:
        one_of(ctx.body, "type", ("snapshot",))
        record.update(type="snapshot", bound_to=None)
    if "description" in ctx.body:
        record["description"] = opt_str(ctx.body, "description")
    if "labels" in ctx.body:
        record["labels"] = validate_labels(ctx.body["labels"])
    return one("image", render(ctx.project, record))


def delete_image(ctx: Ctx) -> Reply:
    record = _own(ctx)
    ensure_deletable(ctx.project, KIND, record)
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


ROUTES: Final = [
    Route("GET", "/images", list_images),
    Route("GET", "/images/{id}", get_image),
    Route("PUT", "/images/{id}", update_image),
    Route("DELETE", "/images/{id}", delete_image),
    Route("POST", "/images/{id}/actions/change_protection", protection_handler(KIND)),
]
