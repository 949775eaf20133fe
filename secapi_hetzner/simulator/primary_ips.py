"""Primary IPs: a server's public IPv4 address or IPv6 /64, assignable while the server is off.

Server creation makes one per enabled family (``auto_delete`` true); deleting the server deletes
those and unassigns the others. Since 2026 a Primary IP must be unassigned before deletion
(``must_be_unassigned``) and an unassigned one reports ``assignee_type: "unassigned"``.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from .catalog import CATALOG, location_object
from .common import action_reply, apply_update, ensure_deletable, protection_handler, run_action
from .errors import SimError, invalid_field
from .inputs import one_of, opt_bool, opt_int, opt_labels, opt_str, req_int, req_str
from .model import Project, Record
from .routing import Ctx, Filter, Reply, Route, field_in, list_reply, one

KIND: Final = "primary_ip"
FAMILIES: Final = ("ipv4", "ipv6")


def render(project: Project, record: Record) -> Record:
    shown = copy.deepcopy(record)
    shown["location"] = location_object(record["location"])
    shown["assignee_type"] = "server" if record["assignee_id"] is not None else "unassigned"
    return shown


def reverse_name(ip: str) -> str:
    return f"static.{'.'.join(reversed(ip.split('.')))}.clients.your-server.de"


def new_primary_ip(project: Project, name: str, family: str, location: str, **fields: Any) -> Record:
    if family == "ipv4":
        ip = project.shared.next_ipv4()
        dns_ptr = [{"ip": ip, "dns_ptr": reverse_name(ip)}]
    else:
        ip, dns_ptr = project.shared.next_ipv6_network(), []
    record: Record = {"name": name, "type": family, "ip": ip, "dns_ptr": dns_ptr, "location": location}
    record.update(blocked=False, protection={"delete": False}, labels={}, assignee_id=None, auto_delete=False)
    record.update(fields)
    return project.insert(KIND, record)


def of_server(project: Project, server_id: int, family: str) -> Record | None:
    return next(
        (p for p in project.store(KIND).values() if p["assignee_id"] == server_id and p["type"] == family),
        None,
    )


def check_assignable(project: Project, family: str, location: str, server: Record) -> None:
    if server["location"] != location:
        raise invalid_field("assignee_id", "server and primary IP must be in the same location")
    if server["status"] != "off":
        raise SimError("server_not_stopped", f"server with ID '{server['id']}' must be powered off")
    if of_server(project, server["id"], family) is not None:
        raise SimError(f"server_has_{family}", f"server already has a primary {family}")


def create_primary_ip(ctx: Ctx) -> Reply:
    body = ctx.body
    name, family = req_str(body, "name"), one_of(body, "type", FAMILIES)
    one_of(body, "assignee_type", ("server",), "server")
    labels, auto_delete = opt_labels(body) or {}, opt_bool(body, "auto_delete", False)
    server_id = opt_int(body, "assignee_id")
    server = ctx.project.get("server", server_id) if server_id is not None else None
    where = opt_str(body, "location") or (opt_str(body, "datacenter") or "").split("-")[0] or None
    location = CATALOG.location(where) if where else None
    if server is None and location is None:
        raise invalid_field("location", "a known location or an assignee_id is required")
    spot = str(server["location"] if server is not None else location["name"] if location else "")
    if server is not None:
        check_assignable(ctx.project, family, spot, server)
    ctx.project.ensure_unique(KIND, "name", name)
    record = new_primary_ip(ctx.project, name, family, spot, labels=labels, auto_delete=auto_delete)
    record["assignee_id"] = server["id"] if server is not None else None
    action = ctx.project.start_action("create_primary_ip", [(KIND, record["id"])])
    return action_reply(ctx.project, action, primary_ip=render(ctx.project, record))


def list_primary_ips(ctx: Ctx) -> Reply:
    records = ctx.project.store(KIND).values()
    return list_reply(
        ctx, "primary_ips", records, lambda r: render(ctx.project, r),
        filters=[Filter("ip", field_in("ip"))], sorts=("id", "created"),
    )  # fmt: skip


def get_primary_ip(ctx: Ctx) -> Reply:
    return one("primary_ip", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def update_primary_ip(ctx: Ctx) -> Reply:
    record = apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id))
    record["auto_delete"] = opt_bool(ctx.body, "auto_delete", record["auto_delete"])
    return one("primary_ip", render(ctx.project, record))


def delete_primary_ip(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    ensure_deletable(ctx.project, KIND, record)
    if record["assignee_id"] is not None:
        raise SimError("must_be_unassigned", f"primary_ip with ID '{ctx.id}' must be unassigned first", {})
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


def assign_primary_ip(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    one_of(ctx.body, "assignee_type", ("server",), "server")
    server = ctx.project.get("server", req_int(ctx.body, "assignee_id"))
    if record["assignee_id"] is not None:
        raise SimError("primary_ip_already_assigned", f"primary_ip with ID '{ctx.id}' is already assigned")
    check_assignable(ctx.project, record["type"], record["location"], server)
    action = run_action(ctx, KIND, "assign_primary_ip", also=[("server", server["id"])])
    record["assignee_id"] = server["id"]
    return action_reply(ctx.project, action)


def unassign_primary_ip(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    server = ctx.project.find("server", record["assignee_id"]) if record["assignee_id"] else None
    if server is not None and server["status"] != "off":
        raise SimError("server_not_stopped", f"server with ID '{server['id']}' must be powered off")
    action = run_action(ctx, KIND, "unassign_primary_ip")
    record["assignee_id"] = None
    return action_reply(ctx.project, action)


def change_dns_ptr(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    ip, dns_ptr = req_str(ctx.body, "ip"), opt_str(ctx.body, "dns_ptr")
    set_dns_ptr(record, ip, dns_ptr)
    return action_reply(ctx.project, run_action(ctx, KIND, "change_dns_ptr"))


def set_dns_ptr(record: Record, ip: str, dns_ptr: str | None) -> None:
    """Set or (``None``) reset the reverse DNS entry of ``ip`` on an IP record."""
    if record["type"] == "ipv4" and ip != record["ip"]:
        raise invalid_field("ip", f"{ip} does not belong to this IP")
    if record["type"] == "ipv6" and not ip.startswith(record["ip"].split("::")[0] + ":"):
        raise invalid_field("ip", f"{ip} is not in {record['ip']}")
    entries = [e for e in record["dns_ptr"] if e["ip"] != ip]
    if dns_ptr is not None:
        entries.append({"ip": ip, "dns_ptr": dns_ptr})
    elif record["type"] == "ipv4":
        entries.append({"ip": ip, "dns_ptr": reverse_name(ip)})
    record["dns_ptr"] = entries


ROUTES: Final = [
    Route("GET", "/primary_ips", list_primary_ips),
    Route("POST", "/primary_ips", create_primary_ip),
    Route("GET", "/primary_ips/{id}", get_primary_ip),
    Route("PUT", "/primary_ips/{id}", update_primary_ip),
    Route("DELETE", "/primary_ips/{id}", delete_primary_ip),
    Route("POST", "/primary_ips/{id}/actions/assign", assign_primary_ip),
    Route("POST", "/primary_ips/{id}/actions/unassign", unassign_primary_ip),
    Route("POST", "/primary_ips/{id}/actions/change_dns_ptr", change_dns_ptr),
    Route("POST", "/primary_ips/{id}/actions/change_protection", protection_handler(KIND)),
]
