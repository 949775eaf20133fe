"""Servers: rendering, reads, updates and deletion (creation and actions live in sibling modules).

Status flow: ``initializing`` → ``running`` (or ``off`` without ``start_after_create``) when the
create actions succeed; power actions pass through ``starting``/``stopping``; ``DELETE`` marks the
server ``deleting`` and removes it, with its auto-delete Primary IPs, when ``delete_server`` succeeds.
"""

from __future__ import annotations

import copy
from typing import Final

from . import firewalls, placement_groups, primary_ips
from .catalog import CATALOG, location_object
from .catalog import render as render_catalog
from .common import apply_update, ensure_deletable
from .images import find_image
from .model import Project, Record
from .routing import Ctx, Filter, Reply, Route, field_in, list_reply, one

KIND: Final = "server"
STATUSES: Final = (
    "running", "initializing", "starting", "stopping", "off", "deleting", "migrating", "rebuilding",
    "unknown",
)  # fmt: skip


def _public_net(project: Project, record: Record) -> Record:
    net: Record = {"ipv4": None, "ipv6": None}
    ipv4 = primary_ips.of_server(project, record["id"], "ipv4")
    if ipv4 is not None:
        dns_ptr = next((e["dns_ptr"] for e in ipv4["dns_ptr"] if e["ip"] == ipv4["ip"]), "")
        net["ipv4"] = {"id": ipv4["id"], "ip": ipv4["ip"], "blocked": ipv4["blocked"], "dns_ptr": dns_ptr}
    ipv6 = primary_ips.of_server(project, record["id"], "ipv6")
    if ipv6 is not None:
        net["ipv6"] = {
            "id": ipv6["id"],
            "ip": ipv6["ip"],
            "blocked": ipv6["blocked"],
            "dns_ptr": ipv6["dns_ptr"],
        }
    floating = project.store("floating_ip").values()
    net["floating_ips"] = sorted(f["id"] for f in floating if f["server"] == record["id"])
    net["firewalls"] = firewalls.of_server(project, record["id"])
    return net


def _included_traffic(server_type: Record, location: str) -> int:
    price = next((p for p in server_type["prices"] if p["location"] == location), None)
    return int(price["included_traffic"]) if price else 0


def render(project: Project, record: Record) -> Record:
    server_type = CATALOG.server_type(record["server_type"]) or {}
    image = find_image(project, record["image"]) if record.get("image") is not None else None
    group = project.store("placement_group").get(record.get("placement_group") or 0)
    volumes = project.store("volume").values()
    return {
        "id": record["id"],
        "name": record["name"],
        "status": record["status"],
        "created": record["created"],
        "public_net": _public_net(project, record),
        "private_net": copy.deepcopy(record["private_net"]),
        "server_type": render_catalog(server_type),
        "location": location_object(record["location"]),
        "image": copy.deepcopy(image),
        "iso": None,
        "rescue_enabled": record["rescue_enabled"],
        "locked": project.is_locked(KIND, record["id"]),
        "backup_window": record["backup_window"],
        "outgoing_traffic": 0,
        "ingoing_traffic": 0,
        "included_traffic": _included_traffic(server_type, record["location"]),
        "protection": dict(record["protection"]),
        "labels": dict(record["labels"]),
        "volumes": sorted(v["id"] for v in volumes if v["server"] == record["id"]),
        "load_balancers": [],
        "primary_disk_size": record["primary_disk_size"],
        "placement_group": placement_groups.render(project, group) if group else None,
    }


def list_servers(ctx: Ctx) -> Reply:
    filters = [Filter("status", field_in("status"), STATUSES)]
    records = ctx.project.store(KIND).values()
    return list_reply(ctx, "servers", records, lambda r: render(ctx.project, r), filters=filters)


def get_server(ctx: Ctx) -> Reply:
    return one("server", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def update_server(ctx: Ctx) -> Reply:
    return one("server", render(ctx.project, apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id))))


def remove_server(project: Project, server_id: int) -> None:
    """Delete the server and detach everything attached to it."""
    if project.store(KIND).pop(server_id, None) is None:
        return
    for volume in project.store("volume").values():
        if volume["server"] == server_id:
            volume["server"] = None
    for floating in project.store("floating_ip").values():
        if floating["server"] == server_id:
            floating["server"] = None
    for ip in list(project.store("primary_ip").values()):
        if ip["assignee_id"] == server_id:
            ip["assignee_id"] = None
            if ip["auto_delete"]:
                del project.store("primary_ip")[ip["id"]]
    for image in list(project.store("image").values()):
        if image["bound_to"] == server_id:
            del project.store("image")[image["id"]]
    firewalls.forget_server(project, server_id)


def delete_server(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    ensure_deletable(ctx.project, KIND, record)
    project, server_id = ctx.project, ctx.id
    undo = project.setter(KIND, server_id, status=record["status"])
    action = project.start_action(
        "delete_server", [(KIND, server_id)], [lambda: remove_server(project, server_id)], [undo]
    )
    record["status"] = "deleting"
    return Reply(200, {"action": project.render_action(action)})


ROUTES: Final = [
    Route("GET", "/servers", list_servers),
    Route("GET", "/servers/{id}", get_server),
    Route("PUT", "/servers/{id}", update_server),
    Route("DELETE", "/servers/{id}", delete_server),
]
