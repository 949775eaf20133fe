"""``POST /servers``: validate every reference first, then create the server and its actions.

The answer carries ``create_server`` as ``action`` and ``start_server``, ``attach_volume``,
``attach_to_network`` and ``apply_firewall`` as ``next_actions``. A public IPv4/IPv6 that is enabled
but not given as a Primary IP id is created as an auto-delete Primary IP named ``primary_ip-<id>``.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Final

from . import primary_ips, server_networks
from .catalog import CATALOG
from .errors import SimError, invalid_field
from .images import find_image
from .inputs import id_or_name, is_int, opt_bool, opt_labels, opt_list, opt_str, req_str
from .model import Project, Record
from .placement_groups import MAX_SERVERS, members
from .routing import Ctx, Reply
from .servers import KIND, render

HOSTNAME: Final = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
MAX_USER_DATA: Final = 32 * 1024


def _server_type(body: dict[str, Any]) -> Record:
    found = CATALOG.server_type(id_or_name(body, "server_type"))
    if found is None:
        raise invalid_field("server_type", f"unknown server type '{body.get('server_type')}'")
    return found


def _location(project: Project, body: dict[str, Any], server_type: Record, volumes: list[Record]) -> str:
    if body.get("datacenter") is not None:  # removed from Server on 2026-07-01 (docs changelog)
        raise invalid_field("datacenter", "datacenters were removed on 2026-07-01; use location")
    wanted = id_or_name(body, "location")
    if wanted is not None:
        found = CATALOG.location(wanted)
        if found is None:
            raise invalid_field("location", f"unknown location '{wanted}'")
        return str(found["name"])
    if volumes:
        return str(volumes[0]["location"])
    offers = [o["name"] for o in server_type["locations"] if o["available"]]
    return str(offers[0]) if offers else "fsn1"  # the first location that sells the type


def _check_offer(server_type: Record, location: str) -> None:
    offer = CATALOG.offer(server_type, location)
    if offer is None:
        raise invalid_field("location", f"server type {server_type['name']} is not offered in {location}")
    if not offer["available"]:
        deprecation = offer.get("deprecation")
        if deprecation is not None:  # its unavailable_after has passed
            raise SimError(
                "invalid_server_type",
                f"server type {server_type['name']} is deprecated and no longer available in {location} "
                f"(unavailable after {deprecation['unavailable_after'][:10]})",
                {},
            )
        raise SimError(
            "resource_unavailable", f"server type {server_type['name']} is sold out in {location}", {}
        )


def _image(project: Project, body: dict[str, Any], server_type: Record) -> Record:
    image = find_image(project, id_or_name(body, "image"), server_type["architecture"])
    if image is None:
        raise invalid_field("image", f"image '{body.get('image')}' not found")
    if image["architecture"] != server_type["architecture"] or image["status"] != "available":
        raise invalid_field("image", "image is not available for this server type")
    if image["disk_size"] > server_type["disk"]:
        raise invalid_field("image", "image disk is larger than the server type's disk")
    return image


def _refs(project: Project, body: dict[str, Any], field: str, kind: str) -> list[Record]:
    found = []
    for ref in opt_list(body, field):
        ref = ref.get(kind) if isinstance(ref, dict) else ref
        record = project.find(kind, ref) if is_int(ref) or isinstance(ref, str) else None
        if record is None:
            raise invalid_field(field, f"{kind} '{ref}' not found")
        found.append(record)
    return found


def _given_ip(project: Project, net: dict[str, Any], family: str, location: str) -> Record | None:
    ident = net.get(family)
    if ident is None:
        return None
    record = project.find("primary_ip", ident) if is_int(ident) else None
    if record is None:
        raise invalid_field(f"public_net.{family}", f"primary IP '{ident}' not found")
    if record["type"] != family:
        raise SimError("primary_ip_version_mismatch", f"primary IP {ident} is not an {family} address")
    if record["location"] != location:
        raise SimError("primary_ip_datacenter_mismatch", f"primary IP {ident} is not in {location}")
    if record["assignee_id"] is not None:
        raise SimError("primary_ip_assigned", f"primary IP {ident} is already assigned")
    return record


def _group(project: Project, body: dict[str, Any]) -> Record | None:
    ident = body.get("placement_group")
    if ident is None:
        return None
    group = project.find("placement_group", ident) if is_int(ident) else None
    if group is None:
        raise invalid_field("placement_group", f"placement group '{ident}' not found")
    if len(members(project, group["id"])) >= MAX_SERVERS:
        raise SimError("placement_error", f"placement group {ident} already holds {MAX_SERVERS} servers")
    return group


def _checks(project: Project, body: dict[str, Any], location: str, volumes: list[Record]) -> Record | None:
    for volume in volumes:
        if volume["location"] != location or volume["server"] is not None:
            raise invalid_field("volumes", f"volume {volume['id']} is attached or in another location")
        project.ensure_unlocked("volume", volume["id"])
    if len((opt_str(body, "user_data") or "").encode()) > MAX_USER_DATA:
        raise invalid_field("user_data", "must be at most 32 KiB")
    return _group(project, body)


def create_server(ctx: Ctx) -> Reply:
    project, body = ctx.project, ctx.body
    name = req_str(body, "name")
    if HOSTNAME.match(name) is None:
        raise invalid_field("name", "must be a valid hostname (RFC 1123)")
    server_type = _server_type(body)
    volumes = _refs(project, body, "volumes", "volume")
    location = _location(project, body, server_type, volumes)
    _check_offer(server_type, location)
    image = _image(project, body, server_type)
    keys = _refs(project, body, "ssh_keys", "ssh_key")
    networks = _refs(project, body, "networks", "network")
    walls = _refs(project, body, "firewalls", "firewall")
    group = _checks(project, body, location, volumes)
    net = body.get("public_net") or {}
    enabled = {f: opt_bool(net, f"enable_{f}", True) for f in primary_ips.FAMILIES}
    given = {f: _given_ip(project, net, f, location) if enabled[f] else None for f in primary_ips.FAMILIES}
    if not any(enabled.values()) and not networks:
        raise invalid_field("networks", "a server without public IPs needs a network")
    labels = opt_labels(body) or {}
    start = opt_bool(body, "start_after_create", True)
    project.ensure_unique(KIND, "name", name)
    record = project.insert(KIND, {"name": name, "status": "initializing", "labels": labels})
    record.update(server_type=server_type["name"], location=location, image=image["id"], private_net=[])
    record.update(architecture=server_type["architecture"], primary_disk_size=server_type["disk"])
    record.update(protection={"delete": False, "rebuild": False}, rescue_enabled=False, backup_window=None)
    record.update(placement_group=group["id"] if group else None, ssh_keys=[k["id"] for k in keys])
    record["user_data"] = opt_str(body, "user_data")
    try:
        for network in networks:
            server_networks.join(project, record, network, {})
    except SimError:
        del project.store(KIND)[record["id"]]
        raise
    for family, ip in given.items():
        if ip is not None:
            ip["assignee_id"] = record["id"]
        elif enabled[family]:
            ip = primary_ips.new_primary_ip(
                project, "", family, location, assignee_id=record["id"], auto_delete=True
            )
            ip["name"] = f"primary_ip-{ip['id']}"
    return _started(project, record, start, volumes, networks, walls, keys)


def _started(
    project: Project, record: Record, start: bool, volumes: list[Record], networks: list[Record],
    walls: list[Record], keys: list[Record],
) -> Reply:  # fmt: skip
    me = (KIND, record["id"])
    created = project.setter(KIND, record["id"], status="off")
    action = project.start_action("create_server", [me], [created], [created])
    follow = []
    if start and action.doom is None:
        running = project.setter(KIND, record["id"], status="running")
        follow.append(project.start_action("start_server", [me], [running]))
    for volume in volumes:
        volume["server"] = record["id"]
        follow.append(project.start_action("attach_volume", [("volume", volume["id"]), me]))
    for network in networks:
        follow.append(project.start_action("attach_to_network", [me, ("network", network["id"])]))
    for wall in walls:
        wall["applied_to"].append({"type": "server", "server": {"id": record["id"]}})
        follow.append(project.start_action("apply_firewall", [("firewall", wall["id"]), me]))
    body = {
        "server": render(project, record),
        "action": project.render_action(action),
        "next_actions": [project.render_action(a) for a in follow],
        "root_password": None if keys else secrets.token_urlsafe(12),
    }
    return Reply(201, body)
