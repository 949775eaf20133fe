"""Placement groups of type ``spread``: at most 10 servers, membership is stored on the servers."""

from __future__ import annotations

import copy
from typing import Final

from .common import apply_update
from .inputs import one_of, opt_labels, req_str
from .model import Project, Record
from .routing import Ctx, Filter, Reply, Route, field_in, list_reply, one

KIND: Final = "placement_group"
MAX_SERVERS: Final = 10


def members(project: Project, group_id: int) -> list[int]:
    return sorted(s["id"] for s in project.store("server").values() if s.get("placement_group") == group_id)


def render(project: Project, record: Record) -> Record:
    return {**copy.deepcopy(record), "servers": members(project, record["id"])}


def list_placement_groups(ctx: Ctx) -> Reply:
    records = ctx.project.store(KIND).values()
    filters = [Filter("type", field_in("type"), ("spread",))]
    return list_reply(ctx, "placement_groups", records, lambda r: render(ctx.project, r), filters=filters)


def get_placement_group(ctx: Ctx) -> Reply:
    return one("placement_group", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def create_placement_group(ctx: Ctx) -> Reply:
    name = req_str(ctx.body, "name")
    kind = one_of(ctx.body, "type", ("spread",))
    labels = opt_labels(ctx.body) or {}
    ctx.project.ensure_unique(KIND, "name", name)
    record = ctx.project.insert(KIND, {"name": name, "type": kind, "labels": labels})
    return one("placement_group", render(ctx.project, record), 201, action=None)


def update_placement_group(ctx: Ctx) -> Reply:
    record = apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id))
    return one("placement_group", render(ctx.project, record))


def delete_placement_group(ctx: Ctx) -> Reply:
    ctx.project.get(KIND, ctx.id)
    for server in ctx.project.store("server").values():
        if server.get("placement_group") == ctx.id:
            server["placement_group"] = None
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


ROUTES: Final = [
    Route("GET", "/placement_groups", list_placement_groups),
    Route("POST", "/placement_groups", create_placement_group),
    Route("GET", "/placement_groups/{id}", get_placement_group),
    Route("PUT", "/placement_groups/{id}", update_placement_group),
    Route("DELETE", "/placement_groups/{id}", delete_placement_group),
]
