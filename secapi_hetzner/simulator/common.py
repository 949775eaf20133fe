"""Behaviour shared by several resources: updates, deletion checks, protection and simple actions."""

from __future__ import annotations

from collections.abc import Callable

from .errors import invalid_field, protected
from .inputs import opt_bool, opt_str, req_str
from .labels import validate_labels
from .model import Action, Callback, Project, Record
from .routing import Ctx, Reply


def apply_update(ctx: Ctx, kind: str, record: Record, extra: tuple[str, ...] = ()) -> Record:
    """PUT semantics: ``name`` (unique), ``labels`` (replaced as a whole) and ``extra`` string fields."""
    body = ctx.body
    if "name" in body:
        name = req_str(body, "name")
        ctx.project.ensure_unique(kind, "name", name, exclude=record["id"])
        record["name"] = name
    if "labels" in body:
        record["labels"] = validate_labels(body["labels"])
    for key in extra:
        if key in body:
            record[key] = opt_str(body, key)
    return record


def ensure_deletable(project: Project, kind: str, record: Record) -> None:
    if record.get("protection", {}).get("delete"):
        raise protected(kind, record["id"])
    project.ensure_unlocked(kind, record["id"])


def action_reply(project: Project, action: Action, **extra: object) -> Reply:
    """``201 {"action": …}`` plus any extra keys the endpoint answers with."""
    return Reply(201, {"action": project.render_action(action), **extra})


def run_action(
    ctx: Ctx,
    kind: str,
    command: str,
    *,
    on_success: list[Callback] | None = None,
    on_error: list[Callback] | None = None,
    also: list[tuple[str, int]] | None = None,
) -> Action:
    """Start ``command`` on the object at ``ctx.id`` after checking it exists and is not locked."""
    ctx.project.get(kind, ctx.id)
    ctx.project.ensure_unlocked(kind, ctx.id)
    for other_kind, other_id in also or []:
        ctx.project.ensure_unlocked(other_kind, other_id)
    resources = [(kind, ctx.id), *(also or [])]
    return ctx.project.start_action(command, resources, on_success, on_error)


def protection_handler(kind: str, keys: tuple[str, ...] = ("delete",)) -> Callable[[Ctx], Reply]:
    """``POST /<plural>/{id}/actions/change_protection``; the flags change at once."""

    def change_protection(ctx: Ctx) -> Reply:
        record = ctx.project.get(kind, ctx.id)
        wanted = dict(record["protection"])
        for key in keys:
            wanted[key] = opt_bool(ctx.body, key, wanted[key])
        if len(keys) > 1 and len(set(wanted.values())) > 1:
            raise invalid_field("rebuild", "delete and rebuild protection must have the same value")
        action = run_action(ctx, kind, "change_protection")
        record["protection"] = wanted
        return action_reply(ctx.project, action)

    return change_protection
