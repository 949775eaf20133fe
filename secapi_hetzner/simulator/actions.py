"""Action reads: ``/actions/{id}``, ``/actions?id=…`` and the four per-resource action routes.

Listing all actions of a project (``GET /actions`` without ``id``) was removed from the API on
2025-01-30; the simulator answers it with ``invalid_input`` on the ``id`` parameter.
"""

from __future__ import annotations

from .errors import invalid_field, not_found
from .model import Action, Record
from .routing import Ctx, Filter, Reply, Route, field_in, list_reply

STATUSES = ("running", "success", "error")
SORTS = ("id", "command", "status", "started", "finished")


def _identity(record: Record) -> Record:
    return record


def _actions_reply(ctx: Ctx, actions: list[Action]) -> Reply:
    rendered = [ctx.project.render_action(action) for action in actions]
    filters = [Filter("status", field_in("status"), STATUSES), Filter("id", field_in("id"))]
    return list_reply(ctx, "actions", rendered, _identity, filters=filters, sorts=SORTS, selectable=False)


def _action_of(ctx: Ctx, ident: int, kind: str | None = None, owner: int | None = None) -> Reply:
    action = ctx.project.actions.get(ident)
    if action is None or (kind is not None and not any(k == kind for k, _ in action.resources)):
        raise not_found("action", ident)
    if kind is not None and owner is not None and not action.touches(kind, owner):
        raise not_found("action", ident)
    return Reply(200, {"action": ctx.project.render_action(action)})


def get_action(ctx: Ctx) -> Reply:
    return _action_of(ctx, ctx.id)


def get_multiple_actions(ctx: Ctx) -> Reply:
    ids = ctx.qs("id")
    if not ids or not all(i.isdigit() for i in ids):
        raise invalid_field("id", "at least one action ID is required")
    wanted = {int(i) for i in ids}
    return _actions_reply(ctx, [a for a in ctx.project.iter_actions() if a.id in wanted])


def resource_action_routes(plural: str, kind: str) -> list[Route]:
    """``GET /<plural>/actions[/{id}]`` and ``GET /<plural>/{id}/actions[/{action_id}]``."""

    def list_all(ctx: Ctx) -> Reply:
        return _actions_reply(
            ctx, [a for a in ctx.project.iter_actions() if any(k == kind for k, _ in a.resources)]
        )

    def get_one(ctx: Ctx) -> Reply:
        return _action_of(ctx, ctx.id, kind)

    def list_for(ctx: Ctx) -> Reply:
        ctx.project.get(kind, ctx.id)
        return _actions_reply(ctx, [a for a in ctx.project.iter_actions() if a.touches(kind, ctx.id)])

    def get_for(ctx: Ctx) -> Reply:
        ctx.project.get(kind, ctx.id)
        return _action_of(ctx, ctx.path["action_id"], kind, ctx.id)

    return [
        Route("GET", f"/{plural}/actions", list_all),
        Route("GET", f"/{plural}/actions/{{id}}", get_one),
        Route("GET", f"/{plural}/{{id}}/actions", list_for),
        Route("GET", f"/{plural}/{{id}}/actions/{{action_id}}", get_for),
    ]


ROUTES = [
    Route("GET", "/actions", get_multiple_actions),
    Route("GET", "/actions/{id}", get_action),
]
