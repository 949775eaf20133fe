"""Firewalls: rules, and application to servers directly or through a label selector."""

from __future__ import annotations

import copy
import ipaddress
import re
from typing import Any, Final

from .common import apply_update
from .errors import SimError, invalid_field
from .inputs import one_of, opt_labels, opt_list, opt_str, req_str
from .labels import parse_selector
from .model import Project, Record
from .routing import Ctx, Reply, Route, list_reply, one

KIND: Final = "firewall"
#: Hetzner's documented limits: rules per firewall, effective rules (one per address block of a rule),
#: CIDRs per rule (docs.hetzner.com/cloud/firewalls/overview#limits; the set_rules reference)
MAX_RULES: Final = 50
MAX_EFFECTIVE_RULES: Final = 500
MAX_IPS_PER_RULE: Final = 100
PORT_RE: Final = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


def _ips(spec: dict[str, Any], field: str) -> list[str]:
    result = []
    if len(opt_list(spec, field)) > MAX_IPS_PER_RULE:
        raise invalid_field(field, f"at most {MAX_IPS_PER_RULE} CIDRs per rule")
    for value in opt_list(spec, field):
        try:
            result.append(str(ipaddress.ip_network(str(value), strict=True)))
        except ValueError as exc:
            raise invalid_field(field, f"'{value}' is not a valid CIDR") from exc
    return result


def _port(spec: dict[str, Any], protocol: str) -> str | None:
    port = opt_str(spec, "port")
    if protocol not in ("tcp", "udp"):
        if port is not None:
            raise invalid_field("port", f"a port is not allowed for protocol {protocol}")
        return None
    if port == "any":
        return port
    found = PORT_RE.match(port or "")
    if found is None or not all(1 <= int(p) <= 65535 for p in found.groups() if p is not None):
        raise invalid_field("port", "must be a port, a range like 80-85, or 'any'")
    return port


def _rule(spec: object) -> Record:
    if not isinstance(spec, dict):
        raise invalid_field("rules", "must be objects")
    direction = one_of(spec, "direction", ("in", "out"))
    protocol = one_of(spec, "protocol", ("tcp", "udp", "icmp", "esp", "gre"))
    source, destination = _ips(spec, "source_ips"), _ips(spec, "destination_ips")
    needed, field = (source, "source_ips") if direction == "in" else (destination, "destination_ips")
    if not needed:
        raise invalid_field(field, f"is required for direction '{direction}'")
    description = opt_str(spec, "description")
    if description is not None and len(description) > 255:
        raise invalid_field("description", "must be at most 255 characters")
    return {
        "direction": direction,
        "protocol": protocol,
        "port": _port(spec, protocol),
        "source_ips": source if direction == "in" else [],
        "destination_ips": destination if direction == "out" else [],
        "description": description,
    }


def _rules(specs: list[Any]) -> list[Record]:
    rules = [_rule(spec) for spec in specs]
    if len(rules) > MAX_RULES:
        raise invalid_field("rules", f"a firewall holds at most {MAX_RULES} rules")
    effective = sum(max(1, len(r["source_ips"]) + len(r["destination_ips"])) for r in rules)
    if effective > MAX_EFFECTIVE_RULES:
        raise invalid_field("rules", f"a firewall holds at most {MAX_EFFECTIVE_RULES} effective rules")
    return rules


def _target(project: Project, spec: object) -> Record:
    if not isinstance(spec, dict):
        raise invalid_field("apply_to", "must be objects")
    if one_of(spec, "type", ("server", "label_selector")) == "server":
        server_id = (spec.get("server") or {}).get("id")
        if not isinstance(server_id, int) or project.find("server", server_id) is None:
            raise SimError("firewall_resource_not_found", f"server with ID '{server_id}' not found")
        return {"type": "server", "server": {"id": server_id}}
    selector = (spec.get("label_selector") or {}).get("selector")
    parse_selector(str(selector or ""))
    if not selector:
        raise invalid_field("label_selector", "a selector is required")
    return {"type": "label_selector", "label_selector": {"selector": selector}}


def _matched(project: Project, entry: Record) -> list[int]:
    if entry["type"] == "server":
        return [entry["server"]["id"]]
    selector = parse_selector(entry["label_selector"]["selector"])
    return sorted(s["id"] for s in project.store("server").values() if selector.matches(s["labels"]))


def of_server(project: Project, server_id: int) -> list[Record]:
    """``public_net.firewalls`` of a server."""
    return [
        {"id": fw["id"], "status": "applied"}
        for fw in project.store(KIND).values()
        if any(server_id in _matched(project, entry) for entry in fw["applied_to"])
    ]


def render(project: Project, record: Record) -> Record:
    shown = copy.deepcopy(record)
    for entry in shown["applied_to"]:
        if entry["type"] == "label_selector":
            resources = [{"type": "server", "server": {"id": i}} for i in _matched(project, entry)]
            entry["applied_to_resources"] = resources
    return shown


def _actions(project: Project, record: Record, command: str, targets: list[Record]) -> list[Record]:
    servers = sorted({i for entry in targets for i in _matched(project, entry)})
    resources = [(KIND, record["id"]), *(("server", i) for i in servers)]
    return [project.render_action(project.start_action(command, resources))]


def create_firewall(ctx: Ctx) -> Reply:
    name = req_str(ctx.body, "name")
    rules = _rules(opt_list(ctx.body, "rules"))
    targets = [_target(ctx.project, spec) for spec in opt_list(ctx.body, "apply_to")]
    labels = opt_labels(ctx.body) or {}
    ctx.project.ensure_unique(KIND, "name", name)
    record = ctx.project.insert(KIND, {"name": name, "labels": labels, "rules": rules, "applied_to": targets})
    actions = _actions(ctx.project, record, "set_firewall_rules", []) if rules else []
    if targets:
        actions += _actions(ctx.project, record, "apply_firewall", targets)
    return one("firewall", render(ctx.project, record), 201, actions=actions)


def list_firewalls(ctx: Ctx) -> Reply:
    return list_reply(ctx, "firewalls", ctx.project.store(KIND).values(), lambda r: render(ctx.project, r))


def get_firewall(ctx: Ctx) -> Reply:
    return one("firewall", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def update_firewall(ctx: Ctx) -> Reply:
    return one("firewall", render(ctx.project, apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id))))


def delete_firewall(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    if record["applied_to"]:
        raise SimError("resource_in_use", f"firewall with ID '{ctx.id}' is still applied to resources", {})
    ctx.project.ensure_unlocked(KIND, ctx.id)
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


def set_rules(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    if not isinstance(ctx.body.get("rules"), list):
        raise invalid_field("rules", "is required")
    rules = _rules(ctx.body["rules"])
    ctx.project.ensure_unlocked(KIND, ctx.id)
    record["rules"] = rules
    return Reply(201, {"actions": _actions(ctx.project, record, "set_firewall_rules", record["applied_to"])})


def apply_to_resources(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    targets = [_target(ctx.project, spec) for spec in opt_list(ctx.body, "apply_to")]
    for target in targets:
        if target in record["applied_to"]:
            raise SimError("firewall_already_applied", "the firewall is already applied to this resource")
    ctx.project.ensure_unlocked(KIND, ctx.id)
    record["applied_to"].extend(targets)
    return Reply(201, {"actions": _actions(ctx.project, record, "apply_firewall", targets)})


def remove_from_resources(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    targets = [_target(ctx.project, spec) for spec in opt_list(ctx.body, "remove_from")]
    for target in targets:
        if target not in record["applied_to"]:
            raise SimError("firewall_resource_not_found", "the firewall is not applied to this resource")
    ctx.project.ensure_unlocked(KIND, ctx.id)
    actions = _actions(ctx.project, record, "remove_firewall", targets)
    record["applied_to"] = [entry for entry in record["applied_to"] if entry not in targets]
    return Reply(201, {"actions": actions})


def forget_server(project: Project, server_id: int) -> None:
    """Drop direct applications to a server that is being deleted."""
    for record in project.store(KIND).values():
        record["applied_to"] = [
            e for e in record["applied_to"] if e["type"] != "server" or e["server"]["id"] != server_id
        ]


ROUTES: Final = [
    Route("GET", "/firewalls", list_firewalls),
    Route("POST", "/firewalls", create_firewall),
    Route("GET", "/firewalls/{id}", get_firewall),
    Route("PUT", "/firewalls/{id}", update_firewall),
    Route("DELETE", "/firewalls/{id}", delete_firewall),
    Route("POST", "/firewalls/{id}/actions/set_rules", set_rules),
    Route("POST", "/firewalls/{id}/actions/apply_to_resources", apply_to_resources),
    Route("POST", "/firewalls/{id}/actions/remove_from_resources", remove_from_resources),
]
