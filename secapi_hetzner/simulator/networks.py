"""Private networks with subnets and routes; server attachments are stored on the servers.

Addresses are allocated from the subnets of type ``cloud``/``server`` in the server's network zone,
skipping the subnet's network address and the network gateway (the first host of the network).
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterator
from typing import Any, Final

from .catalog import CATALOG
from .common import action_reply, apply_update, ensure_deletable, protection_handler, run_action
from .errors import SimError, invalid_field
from .inputs import one_of, opt_bool, opt_int, opt_labels, opt_list, opt_str, req_str
from .model import Project, Record
from .routing import Ctx, Reply, Route, list_reply, one

KIND: Final = "network"
PRIVATE: Final = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
ZONES: Final = tuple(sorted({loc["network_zone"] for loc in CATALOG.locations}))
Net = ipaddress.IPv4Network


def attachments(project: Project, network_id: int) -> Iterator[tuple[Record, Record]]:
    """(server, private_net entry) for every server attached to the network."""
    for server in project.store("server").values():
        for entry in server["private_net"]:
            if entry["network"] == network_id:
                yield server, entry


def render(project: Project, record: Record) -> Record:
    servers = sorted({server["id"] for server, _ in attachments(project, record["id"])})
    return {**copy.deepcopy(record), "servers": servers, "load_balancers": []}


def parse_range(value: object, field: str) -> Net:
    try:
        network = ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        raise invalid_field(field, f"'{value}' is not a valid IPv4 CIDR range") from exc
    if not isinstance(network, Net):
        raise invalid_field(field, "only IPv4 ranges are supported")
    return network


def _network_range(value: object) -> Net:
    network = parse_range(value, "ip_range")
    if network.prefixlen > 24 or not any(network.subnet_of(p) for p in PRIVATE):
        raise invalid_field("ip_range", "must be an RFC 1918 range of size /24 or larger")
    return network


def _subnet(record: Record, spec: Any) -> Record:
    if not isinstance(spec, dict):
        raise invalid_field("subnets", "must be objects")
    kind = one_of(spec, "type", ("cloud", "server", "vswitch"))
    zone = one_of(spec, "network_zone", ZONES)
    whole = parse_range(record["ip_range"], "ip_range")
    taken = [parse_range(s["ip_range"], "ip_range") for s in record["subnets"]]
    if spec.get("ip_range") is not None:
        wanted = parse_range(spec["ip_range"], "ip_range")
    else:
        wanted = next(
            (c for c in whole.subnets(new_prefix=24) if not any(c.overlaps(t) for t in taken)), whole
        )
    if not wanted.subnet_of(whole) or any(wanted.overlaps(t) for t in taken):
        raise invalid_field("ip_range", f"{wanted} is outside the network or overlaps another subnet")
    vswitch = opt_int(spec, "vswitch_id") if kind == "vswitch" else None
    gateway = str(whole.network_address + 1)
    return {
        "type": kind,
        "ip_range": str(wanted),
        "network_zone": zone,
        "gateway": gateway,
        "vswitch_id": vswitch,
    }


def _route(record: Record, spec: Any) -> Record:
    if not isinstance(spec, dict):
        raise invalid_field("routes", "must be objects")
    destination = parse_range(req_str(spec, "destination"), "destination")
    gateway = req_str(spec, "gateway")
    try:
        inside = ipaddress.ip_address(gateway) in parse_range(record["ip_range"], "ip_range")
    except ValueError:
        inside = False
    if not inside:
        raise invalid_field("gateway", f"{gateway} is not an address of the network")
    return {"destination": str(destination), "gateway": gateway}


def create_network(ctx: Ctx) -> Reply:
    name = req_str(ctx.body, "name")
    record: Record = {"name": name, "ip_range": str(_network_range(ctx.body.get("ip_range"))), "subnets": []}
    record.update(routes=[], labels=opt_labels(ctx.body) or {}, protection={"delete": False})
    record["expose_routes_to_vswitch"] = opt_bool(ctx.body, "expose_routes_to_vswitch", False)
    for spec in opt_list(ctx.body, "subnets"):
        record["subnets"].append(_subnet(record, spec))
    record["routes"] = [_route(record, spec) for spec in opt_list(ctx.body, "routes")]
    ctx.project.ensure_unique(KIND, "name", name)
    return one("network", render(ctx.project, ctx.project.insert(KIND, record)), 201)


def list_networks(ctx: Ctx) -> Reply:
    return list_reply(ctx, "networks", ctx.project.store(KIND).values(), lambda r: render(ctx.project, r))


def get_network(ctx: Ctx) -> Reply:
    return one("network", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def update_network(ctx: Ctx) -> Reply:
    record = apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id))
    record["expose_routes_to_vswitch"] = opt_bool(
        ctx.body, "expose_routes_to_vswitch", record["expose_routes_to_vswitch"]
    )
    return one("network", render(ctx.project, record))


def delete_network(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    ensure_deletable(ctx.project, KIND, record)
    if any(True for _ in attachments(ctx.project, ctx.id)):
        raise SimError("service_error", f"network with ID '{ctx.id}' still has servers attached", {})
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


def add_subnet(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    subnet = _subnet(record, ctx.body)
    action = run_action(ctx, KIND, "add_subnet")
    record["subnets"].append(subnet)
    return action_reply(ctx.project, action)


def delete_subnet(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    wanted = str(parse_range(req_str(ctx.body, "ip_range"), "ip_range"))
    subnet = next((s for s in record["subnets"] if s["ip_range"] == wanted), None)
    if subnet is None:
        raise invalid_field("ip_range", f"no subnet {wanted} in this network")
    block = parse_range(wanted, "ip_range")
    if any(ipaddress.ip_address(e["ip"]) in block for _, e in attachments(ctx.project, ctx.id)):
        raise SimError("service_error", f"subnet {wanted} still has servers attached", {})
    action = run_action(ctx, KIND, "delete_subnet")
    record["subnets"].remove(subnet)
    return action_reply(ctx.project, action)


def add_route(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    route = _route(record, ctx.body)
    if route in record["routes"]:
        raise invalid_field("destination", "the route exists already")
    action = run_action(ctx, KIND, "add_route")
    record["routes"].append(route)
    return action_reply(ctx.project, action)


def delete_route(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    route = _route(record, ctx.body)
    if route not in record["routes"]:
        raise invalid_field("destination", "no such route in this network")
    action = run_action(ctx, KIND, "delete_route")
    record["routes"].remove(route)
    return action_reply(ctx.project, action)


def change_ip_range(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    wanted = _network_range(opt_str(ctx.body, "ip_range"))
    if not parse_range(record["ip_range"], "ip_range").subnet_of(wanted):
        raise invalid_field("ip_range", "the new range must contain the current one")
    action = run_action(ctx, KIND, "change_ip_range")
    record["ip_range"] = str(wanted)
    return action_reply(ctx.project, action)


ROUTES: Final = [
    Route("GET", "/networks", list_networks),
    Route("POST", "/networks", create_network),
    Route("GET", "/networks/{id}", get_network),
    Route("PUT", "/networks/{id}", update_network),
    Route("DELETE", "/networks/{id}", delete_network),
    Route("POST", "/networks/{id}/actions/add_subnet", add_subnet),
    Route("POST", "/networks/{id}/actions/delete_subnet", delete_subnet),
    Route("POST", "/networks/{id}/actions/add_route", add_route),
    Route("POST", "/networks/{id}/actions/delete_route", delete_route),
    Route("POST", "/networks/{id}/actions/change_ip_range", change_ip_range),
    Route("POST", "/networks/{id}/actions/change_protection", protection_handler(KIND)),
]
