"""``POST /servers/{id}/actions/<name>``: power, type change, images, rebuild, rescue, backups and more.

Effects that a client can observe at once (protection, placement group) apply when the action starts
and are undone if it ends in error; a type change, like status changes (``starting`` → ``running`` …),
takes effect when the action succeeds, as on Hetzner.
"""

from __future__ import annotations

import secrets
from typing import Final

from . import primary_ips
from .catalog import CATALOG
from .common import action_reply, protection_handler, run_action
from .errors import SimError, invalid_field, protected
from .images import KIND as IMAGE
from .images import find_image, new_image
from .images import render as render_image
from .inputs import id_or_name, one_of, opt_bool, opt_labels, opt_str, req_int, req_str
from .model import Record
from .placement_groups import MAX_SERVERS, members
from .routing import Ctx, Handler, Reply, Route

KIND: Final = "server"
POWER: Final = {
    "poweron": ("start_server", "starting", "running"),
    "poweroff": ("stop_server", "stopping", "off"),
    "reboot": ("reboot_server", None, "running"),
    "reset": ("reset_server", None, "running"),
}


def _password() -> str:
    return secrets.token_urlsafe(12)


def _stopped(record: Record) -> None:
    if record["status"] != "off":
        raise SimError("server_not_stopped", f"server with ID '{record['id']}' must be powered off")


def power(name: str) -> Handler:
    command, during, after = POWER[name]

    def handler(ctx: Ctx) -> Reply:
        record = ctx.project.get(KIND, ctx.id)
        ctx.project.guest_timers.pop(ctx.id, None)  # a power action overrides a guest still shutting down
        done = ctx.project.setter(KIND, ctx.id, status=after)
        undo = ctx.project.setter(KIND, ctx.id, status=record["status"])
        action = run_action(ctx, KIND, command, on_success=[done], on_error=[undo])
        record["status"] = during or record["status"]
        return action_reply(ctx.project, action)

    return handler


def shutdown(ctx: Ctx) -> Reply:
    """ACPI only: the action ends once the signal is delivered; the server stays ``running`` until its
    guest has shut down (``guest_shutdown`` seconds later, or never if guests ignore ACPI)."""
    project, server_id = ctx.project, ctx.id

    def guest_powers_off() -> None:
        server = project.stores[KIND].get(server_id)
        if server is not None and server["status"] == "running":
            server["status"] = "off"

    def signal_delivered() -> None:  # the guest starts shutting down when the action really ended
        project.after_guest_shutdown(server_id, guest_powers_off, since=action.finished)

    action = run_action(ctx, KIND, "shutdown_server", on_success=[signal_delivered])
    return action_reply(ctx.project, action)


def change_type(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    new = CATALOG.server_type(id_or_name(ctx.body, "server_type"))
    if "upgrade_disk" not in ctx.body:
        raise invalid_field("upgrade_disk", "is required")
    upgrade = opt_bool(ctx.body, "upgrade_disk", False)
    ctx.project.ensure_unlocked(KIND, ctx.id)
    _stopped(record)
    offer = CATALOG.offer(new, record["location"]) if new else None
    if (
        new is None
        or offer is None
        or not offer["available"]
        or new["architecture"] != record["architecture"]
    ):
        raise SimError("invalid_server_type", f"server type '{ctx.body.get('server_type')}' does not fit")
    if new["disk"] < record["primary_disk_size"]:
        raise SimError("invalid_server_type", "the server's disk is larger than the new type's disk")
    done = ctx.project.setter(  # the server has its new type when the action ends
        KIND, ctx.id, server_type=new["name"], primary_disk_size=new["disk"] if upgrade else record["primary_disk_size"]
    )
    action = run_action(ctx, KIND, "change_server_type", on_success=[done])
    return action_reply(ctx.project, action)


def create_image(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    kind = one_of(ctx.body, "type", ("snapshot", "backup"), "snapshot")
    description, labels = opt_str(ctx.body, "description"), opt_labels(ctx.body) or {}
    ctx.project.ensure_unlocked(KIND, ctx.id)
    image = new_image(ctx.project, record, kind, description, labels)
    available = ctx.project.setter(IMAGE, image["id"], status="available")
    discard = ctx.project.remover(IMAGE, image["id"])
    resources = [(KIND, ctx.id), (IMAGE, image["id"])]
    action = ctx.project.start_action("create_image", resources, [available], [discard])
    return action_reply(ctx.project, action, image=render_image(ctx.project, image))


def rebuild(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    image = find_image(ctx.project, id_or_name(ctx.body, "image"), record["architecture"])
    if image is None or image["architecture"] != record["architecture"] or image["status"] != "available":
        raise invalid_field("image", f"image '{ctx.body.get('image')}' not found or not usable")
    if record["protection"]["rebuild"]:
        raise protected(KIND, ctx.id)
    running = ctx.project.setter(KIND, ctx.id, status="running")
    undo = ctx.project.setter(KIND, ctx.id, status=record["status"], image=record["image"])
    action = run_action(ctx, KIND, "rebuild_server", on_success=[running], on_error=[undo])
    record.update(status="rebuilding", image=image["id"])
    return action_reply(ctx.project, action, root_password=None if record["ssh_keys"] else _password())


def flag(command: str, **changes: object) -> Handler:
    """An action that sets record fields at once (rescue, backups)."""

    def handler(ctx: Ctx) -> Reply:
        record = ctx.project.get(KIND, ctx.id)
        undo = ctx.project.setter(KIND, ctx.id, **{key: record[key] for key in changes})
        action = run_action(ctx, KIND, command, on_error=[undo])
        record.update(changes)
        extra = {"root_password": _password()} if command == "enable_rescue" else {}
        return action_reply(ctx.project, action, **extra)

    return handler


def reset_password(ctx: Ctx) -> Reply:
    return action_reply(ctx.project, run_action(ctx, KIND, "reset_password"), root_password=_password())


def request_console(ctx: Ctx) -> Reply:
    action = run_action(ctx, KIND, "request_console")
    url = f"wss://console.hetzner.cloud/?server_id={ctx.id}&token={secrets.token_hex(8)}"
    return action_reply(ctx.project, action, wss_url=url, password=_password())


def change_dns_ptr(ctx: Ctx) -> Reply:
    ip, dns_ptr = req_str(ctx.body, "ip"), opt_str(ctx.body, "dns_ptr")
    ctx.project.get(KIND, ctx.id)
    owned = [primary_ips.of_server(ctx.project, ctx.id, family) for family in primary_ips.FAMILIES]
    for record in owned:
        if record is not None and (record["ip"] == ip or ip.startswith(record["ip"].split("::")[0] + ":")):
            action = run_action(ctx, KIND, "change_dns_ptr")
            primary_ips.set_dns_ptr(record, ip, dns_ptr)
            return action_reply(ctx.project, action)
    raise invalid_field("ip", f"{ip} is not a primary IP of this server")


def add_to_placement_group(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    group = ctx.project.get("placement_group", req_int(ctx.body, "placement_group"))
    _stopped(record)
    if record["placement_group"] is not None:
        raise invalid_field("placement_group", "the server is already in a placement group")
    if len(members(ctx.project, group["id"])) >= MAX_SERVERS:
        raise SimError(
            "placement_error", f"placement group {group['id']} already holds {MAX_SERVERS} servers"
        )
    undo = ctx.project.setter(KIND, ctx.id, placement_group=None)
    action = run_action(ctx, KIND, "add_to_placement_group", on_error=[undo])
    record["placement_group"] = group["id"]
    return action_reply(ctx.project, action)


def remove_from_placement_group(ctx: Ctx) -> Reply:
    record = ctx.project.get(KIND, ctx.id)
    if record["placement_group"] is None:
        raise invalid_field("placement_group", "the server is not in a placement group")
    undo = ctx.project.setter(KIND, ctx.id, placement_group=record["placement_group"])
    action = run_action(ctx, KIND, "remove_from_placement_group", on_error=[undo])
    record["placement_group"] = None
    return action_reply(ctx.project, action)


ROUTES: Final = [
    *(Route("POST", f"/servers/{{id}}/actions/{name}", power(name)) for name in POWER),
    Route("POST", "/servers/{id}/actions/shutdown", shutdown),
    Route("POST", "/servers/{id}/actions/change_type", change_type),
    Route("POST", "/servers/{id}/actions/create_image", create_image),
    Route("POST", "/servers/{id}/actions/rebuild", rebuild),
    Route("POST", "/servers/{id}/actions/change_protection", protection_handler(KIND, ("delete", "rebuild"))),
    Route("POST", "/servers/{id}/actions/enable_rescue", flag("enable_rescue", rescue_enabled=True)),
    Route("POST", "/servers/{id}/actions/disable_rescue", flag("disable_rescue", rescue_enabled=False)),
    Route("POST", "/servers/{id}/actions/enable_backup", flag("enable_backup", backup_window="22-02")),
    Route("POST", "/servers/{id}/actions/disable_backup", flag("disable_backup", backup_window=None)),
    Route("POST", "/servers/{id}/actions/reset_password", reset_password),
    Route("POST", "/servers/{id}/actions/request_console", request_console),
    Route("POST", "/servers/{id}/actions/change_dns_ptr", change_dns_ptr),
    Route("POST", "/servers/{id}/actions/add_to_placement_group", add_to_placement_group),
    Route("POST", "/servers/{id}/actions/remove_from_placement_group", remove_from_placement_group),
]
