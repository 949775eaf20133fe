"""Server ↔ network attachments: ``attach_to_network``, ``detach_from_network``, ``change_alias_ips``."""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from .catalog import CATALOG
from .common import action_reply, run_action
from .errors import SimError, invalid_field
from .inputs import opt_list, opt_str, req_int
from .model import Project, Record
from .networks import attachments, parse_range
from .routing import Ctx, Reply, Route

KIND: Final = "server"


def _zone(server: Record) -> str:
    location = CATALOG.location(server["location"])
    return str(location["network_zone"]) if location else ""


def _used(project: Project, network: Record) -> set[str]:
    used = {str(ipaddress.ip_network(network["ip_range"]).network_address + 1)}
    for _, entry in attachments(project, network["id"]):
        used.update([entry["ip"], *entry["alias_ips"]])
    return used


def _pick_ip(project: Project, network: Record, server: Record, ip: str | None, ip_range: str | None) -> str:
    subnets = [
        parse_range(s["ip_range"], "ip_range")
        for s in network["subnets"]
        if s["type"] in ("cloud", "server") and s["network_zone"] == _zone(server)
    ]
    if ip_range is not None:
        subnets = [s for s in subnets if str(s) == str(parse_range(ip_range, "ip_range"))]
    if not subnets:
        raise SimError("no_subnet_available", "no subnet of the network is in the server's network zone")
    used = _used(project, network)
    if ip is not None:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError as exc:
            raise invalid_field("ip", f"'{ip}' is not an IP address") from exc
        if ip in used or not any(address in s and address != s.network_address for s in subnets):
            raise SimError("ip_not_available", f"IP {ip} is not available")
        return ip
    for subnet in subnets:
        free = next((str(h) for h in subnet.hosts() if str(h) not in used), None)
        if free is not None:
            return free
    raise SimError("no_subnet_available", "no free IP left in the network's subnets")


def join(project: Project, server: Record, network: Record, body: dict[str, Any]) -> None:
    """Add the server to the network, allocating its address."""
    if any(e["network"] == network["id"] for e in server["private_net"]):
        raise SimError("server_already_attached", f"server is already attached to network {network['id']}")
    ip = _pick_ip(project, network, server, opt_str(body, "ip"), opt_str(body, "ip_range"))
    alias_ips = [str(a) for a in opt_list(body, "alias_ips")]
    mac = f"86:00:00:{server['id'] % 256:02x}:{network['id'] % 256:02x}:{len(server['private_net']):02x}"
    entry = {"network": network["id"], "ip": ip, "alias_ips": alias_ips, "mac_address": mac}
    project.ensure_unlocked("network", network["id"])
    server["private_net"].append(entry)


def attach(project: Project, server: Record, network: Record, body: dict[str, Any]) -> Record:
    """:func:`join`, then start the ``attach_to_network`` action; returns it rendered."""
    join(project, server, network, body)
    action = project.start_action("attach_to_network", [(KIND, server["id"]), ("network", network["id"])])
    return project.render_action(action)


def attach_to_network(ctx: Ctx) -> Reply:
    server = ctx.project.get(KIND, ctx.id)
    network = ctx.project.get("network", req_int(ctx.body, "network"))
    ctx.project.ensure_unlocked(KIND, ctx.id)
    return Reply(201, {"action": attach(ctx.project, server, network, ctx.body)})


def _entry(ctx: Ctx) -> tuple[Record, Record, int]:
    server = ctx.project.get(KIND, ctx.id)
    network_id = req_int(ctx.body, "network")
    ctx.project.get("network", network_id)
    entry = next((e for e in server["private_net"] if e["network"] == network_id), None)
    if entry is None:
        raise invalid_field("network", f"server is not attached to network {network_id}")
    return server, entry, network_id


def detach_from_network(ctx: Ctx) -> Reply:
    server, entry, network_id = _entry(ctx)
    action = run_action(ctx, KIND, "detach_from_network", also=[("network", network_id)])
    server["private_net"].remove(entry)
    return action_reply(ctx.project, action)


def change_alias_ips(ctx: Ctx) -> Reply:
    _, entry, network_id = _entry(ctx)
    action = run_action(ctx, KIND, "change_alias_ips", also=[("network", network_id)])
    entry["alias_ips"] = [str(a) for a in opt_list(ctx.body, "alias_ips")]
    return action_reply(ctx.project, action)


ROUTES: Final = [
    Route("POST", "/servers/{id}/actions/attach_to_network", attach_to_network),
    Route("POST", "/servers/{id}/actions/detach_from_network", detach_from_network),
    Route("POST", "/servers/{id}/actions/change_alias_ips", change_alias_ips),
]
