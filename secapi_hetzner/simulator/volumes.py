"""Volumes: 10–10240 GB, bound to a location, attached to at most one server in that location."""

from __future__ import annotations

import copy
from typing import Final

from .catalog import CATALOG, location_object
from .common import action_reply, apply_update, ensure_deletable, protection_handler, run_action
from .errors import SimError, invalid_field, invalid_input
from .inputs import opt_bool, opt_int, opt_labels, opt_str, req_int, req_str
from .model import Project, Record
from .routing import Ctx, Filter, Reply, Route, field_in, list_reply, one

KIND: Final = "volume"
MIN_GB: Final = 10
MAX_GB: Final = 10240
FORMATS: Final = ("ext4", "xfs")


def render(project: Project, record: Record) -> Record:
    shown = copy.deepcopy(record)
    shown["location"] = location_object(record["location"])
    return shown


def _size(ctx: Ctx) -> int:
    size = req_int(ctx.body, "size")
    if not MIN_GB <= size <= MAX_GB:
        raise invalid_field("size", f"must be between {MIN_GB} and {MAX_GB} GB")
    return size


def _location_of(ctx: Ctx, server: Record | None) -> str:
    wanted = opt_str(ctx.body, "location")
    location = CATALOG.location(wanted) if wanted is not None else None
    if wanted is not None and location is None:
        raise invalid_field("location", f"unknown location '{wanted}'")
    if server is not None and location is not None and location["name"] != server["location"]:
        raise invalid_input("server and volume must be in the same location", {"location": ["mismatch"]})
    if server is not None:
        return str(server["location"])
    if location is None:
        raise invalid_input("either location or server is required", {"location": ["is required"]})
    return str(location["name"])


def attach_action(project: Project, volume: Record, server: Record) -> Record:
    """Attach ``volume`` to ``server`` (both checked by the caller) and return the rendered action. The
    volume is attached when the action ends (both are locked meanwhile)."""
    done = project.setter(KIND, volume["id"], server=server["id"])
    resources = [(KIND, volume["id"]), ("server", server["id"])]
    return project.render_action(project.start_action("attach_volume", resources, on_success=[done]))


def check_attachable(project: Project, volume: Record, server: Record) -> None:
    if volume.get("server") is not None:
        raise SimError("volume_already_attached", f"volume with ID '{volume['id']}' is already attached")
    if volume["location"] != server["location"]:
        raise invalid_input("server and volume must be in the same location", {"server": ["wrong location"]})
    project.ensure_unlocked("server", server["id"])


def create_volume(ctx: Ctx) -> Reply:
    name = req_str(ctx.body, "name")
    size = _size(ctx)
    server_id = opt_int(ctx.body, "server")
    server = ctx.project.find("server", server_id) if server_id is not None else None
    if server_id is not None and server is None:
        raise invalid_field("server", f"server with ID '{server_id}' not found")
    volume_format = opt_str(ctx.body, "format")
    if volume_format is not None and volume_format not in FORMATS:
        raise invalid_field("format", f"must be one of {', '.join(FORMATS)}")
    labels = opt_labels(ctx.body) or {}
    opt_bool(ctx.body, "automount", False)
    location = _location_of(ctx, server)
    if server is not None:
        ctx.project.ensure_unlocked("server", server["id"])
    ctx.project.ensure_unique(KIND, "name", name)
    record = ctx.project.insert(KIND, {"name": name, "size": size, "location": location, "server": None})
    record.update(format=volume_format, labels=labels, protection={"delete": False}, status="creating")
    record["linux_device"] = f"/dev/disk/by-id/scsi-0HC_Volume_{record['id']}"
    done = ctx.project.setter(KIND, record["id"], status="available")
    action = ctx.project.start_action("create_volume", [(KIND, record["id"])], [done], [done])
    next_actions = []
    if server is not None:
        next_actions.append(attach_action(ctx.project, record, server))
    return action_reply(ctx.project, action, volume=render(ctx.project, record), next_actions=next_actions)


def list_volumes(ctx: Ctx) -> Reply:
    filters = [Filter("status", field_in("status"), ("available", "creating"))]
    records = ctx.project.store(KIND).values()
    return list_reply(ctx, "volumes", records, lambda r: render(ctx.project, r), filters=filters)


def get_volume(ctx: Ctx) -> Reply:
    return one("volume", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def update_volume(ctx: Ctx) -> Reply:
    return one("volume", render(ctx.project, apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id))))


def delete_volume(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    ensure_deletable(ctx.project, KIND, record)
    if record.get("server") is not None:
        raise SimError("service_error", f"volume with ID '{ctx.id}' is still attached to a server", {})
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


def attach_volume(ctx: Ctx) -> Reply:
    volume = ctx.project.get(KIND, ctx.id)
    server = ctx.project.get("server", req_int(ctx.body, "server"))
    ctx.project.ensure_unlocked(KIND, ctx.id)
    opt_bool(ctx.body, "automount", False)
    check_attachable(ctx.project, volume, server)
    action = attach_action(ctx.project, volume, server)
    return Reply(201, {"action": action})


def detach_volume(ctx: Ctx) -> Reply:
    volume = ctx.project.get(KIND, ctx.id)
    server_id = volume.get("server")
    done = ctx.project.setter(KIND, ctx.id, server=None)
    also = [("server", server_id)] if server_id is not None else []
    action = run_action(ctx, KIND, "detach_volume", on_success=[done], also=also)  # detached when it ends
    return action_reply(ctx.project, action)


def resize_volume(ctx: Ctx) -> Reply:
    volume = ctx.project.get(KIND, ctx.id)
    size = _size(ctx)
    if size <= volume["size"]:
        raise invalid_field("size", f"must be greater than the current size of {volume['size']} GB")
    done = ctx.project.setter(KIND, ctx.id, size=size)
    action = run_action(ctx, KIND, "resize_volume", on_success=[done])  # the new size shows when it ends
    return action_reply(ctx.project, action)


ROUTES: Final = [
    Route("GET", "/volumes", list_volumes),
    Route("POST", "/volumes", create_volume),
    Route("GET", "/volumes/{id}", get_volume),
    Route("PUT", "/volumes/{id}", update_volume),
    Route("DELETE", "/volumes/{id}", delete_volume),
    Route("POST", "/volumes/{id}/actions/attach", attach_volume),
    Route("POST", "/volumes/{id}/actions/detach", detach_volume),
    Route("POST", "/volumes/{id}/actions/resize", resize_volume),
    Route("POST", "/volumes/{id}/actions/change_protection", protection_handler(KIND)),
]
