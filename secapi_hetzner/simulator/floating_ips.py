"""Floating IPs: a home location, assignable to any server in the same network zone."""

from __future__ import annotations

import copy
from typing import Final

from .catalog import CATALOG, location_object
from .common import action_reply, apply_update, ensure_deletable, protection_handler, run_action
from .errors import SimError, invalid_field
from .inputs import one_of, opt_int, opt_labels, opt_str, req_int, req_str
from .model import Project, Record
from .primary_ips import reverse_name, set_dns_ptr
from .routing import Ctx, Reply, Route, list_reply, one

KIND: Final = "floating_ip"


def render(project: Project, record: Record) -> Record:
    shown = copy.deepcopy(record)
    shown["home_location"] = location_object(record["home_location"])
    return shown


def _zone(location: str) -> str:
    found = CATALOG.location(location)
    return str(found["network_zone"]) if found else ""


def _check_target(record: Record, server: Record) -> None:
    if _zone(server["location"]) != _zone(record["home_location"]):
        raise invalid_field("server", "the server is in another network zone")


def create_floating_ip(ctx: Ctx) -> Reply:
    family = one_of(ctx.body, "type", ("ipv4", "ipv6"))
    server_id = opt_int(ctx.body, "server")
    server = ctx.project.get("server", server_id) if server_id is not None else None
    wanted = opt_str(ctx.body, "home_location")
    home = CATALOG.location(wanted) if wanted else None
    if wanted and home is None:
        raise invalid_field("home_location", f"unknown location '{wanted}'")
    location = home["name"] if home else server["location"] if server else None
    if location is None:
        raise invalid_field("home_location", "home_location or server is required")
    name = opt_str(ctx.body, "name")
    if name is not None:
        ctx.project.ensure_unique(KIND, "name", name)
    ip = ctx.project.shared.next_ipv4() if family == "ipv4" else ctx.project.shared.next_ipv6_network()
    record = {
        "name": name,
        "type": family,
        "ip": ip,
        "home_location": location,
        "server": None,
        "blocked": False,
    }
    record.update(description=opt_str(ctx.body, "description"), labels=opt_labels(ctx.body) or {})
    record.update(protection={"delete": False}, dns_ptr=[])
    if server is not None:
        _check_target(record, server)
    record = ctx.project.insert(KIND, record)
    record["name"] = record["name"] or f"floating-ip-{record['id']}"
    record["dns_ptr"] = [{"ip": ip, "dns_ptr": reverse_name(ip)}] if family == "ipv4" else []
    action = ctx.project.start_action("create_floating_ip", [(KIND, record["id"])])
    if server is not None:
        record["server"] = server["id"]
    return action_reply(ctx.project, action, floating_ip=render(ctx.project, record))


def list_floating_ips(ctx: Ctx) -> Reply:
    records = ctx.project.store(KIND).values()
    return list_reply(ctx, "floating_ips", records, lambda r: render(ctx.project, r), sorts=("id", "created"))


def get_floating_ip(ctx: Ctx) -> Reply:
    return one("floating_ip", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def update_floating_ip(ctx: Ctx) -> Reply:
    record = apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id), extra=("description",))
    return one("floating_ip", render(ctx.project, record))


def delete_floating_ip(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    ensure_deletable(ctx.project, KIND, record)
    if record["server"] is not None:
        raise SimError("must_be_unassigned", f"floating_ip with ID '{ctx.id}' must be unassigned first", {})
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


def assign_floating_ip(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    server = ctx.project.get("server", req_int(ctx.body, "server"))
    _check_target(record, server)
    action = run_action(ctx, KIND, "assign_floating_ip", also=[("server", server["id"])])
    record["server"] = server["id"]
    return action_reply(ctx.project, action)


def unassign_floating_ip(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    action = run_action(ctx, KIND, "unassign_floating_ip")
    record["server"] = None
    return action_reply(ctx.project, action)


def change_dns_ptr(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    set_dns_ptr(record, req_str(ctx.body, "ip"), opt_str(ctx.body, "dns_ptr"))
    return action_reply(ctx.project, run_action(ctx, KIND, "change_dns_ptr"))


ROUTES: Final = [
    Route("GET", "/floating_ips", list_floating_ips),
    Route("POST", "/floating_ips", create_floating_ip),
    Route("GET", "/floating_ips/{id}", get_floating_ip),
    Route("PUT", "/floating_ips/{id}", update_floating_ip),
    Route("DELETE", "/floating_ips/{id}", delete_floating_ip),
    Route("POST", "/floating_ips/{id}/actions/assign", assign_floating_ip),
    Route("POST", "/floating_ips/{id}/actions/unassign", unassign_floating_ip),
    Route("POST", "/floating_ips/{id}/actions/change_dns_ptr", change_dns_ptr),
    Route("POST", "/floating_ips/{id}/actions/change_protection", protection_handler(KIND)),
]
