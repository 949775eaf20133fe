"""Start a Hetzner action once and follow it to the end, across worker restarts.

The action id is recorded on the operation (``step``, ``action_id``) before anything else happens,
so a worker that dies while the action runs is replaced by one that keeps following the same action
instead of starting it again. Steps are named by each kind's enum, with an optional target (the type
a server changes to, the volume it attaches): stored as ``name`` or ``name/target``, and
``…:done`` once the action succeeded.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.outcome import Outcome, reason_from_code
from secapi_hetzner.hetzner import HAction


def step_key(step: enum.StrEnum, target: str | int = "") -> str:
    """The stored form of a step: ``change-type/cx32``, ``poweron``."""
    return f"{step}/{target}" if target != "" else str(step)


def follow(ctx: StepContext, name: enum.StrEnum, start: Callable[[], HAction | None], *,
           target: str | int = "") -> Outcome | None:
    """None when the step's action has finished successfully (carry on); otherwise what to report."""
    step = step_key(name, target)
    op = ctx.operation
    if op.step == f"{step}:done":
        return None
    if op.step == step and op.action_id is not None:
        action = ctx.gateway.get_action(op.action_id)
    else:
        started = start()
        if started is None:
            ctx.progress(f"{step}:done", None)
            return None
        action = started
        ctx.progress(step, action.id)
    if action.running:
        return ctx.wait(f"waiting for Hetzner action {action.command} ({action.id})", reason="ActionTimeout")
    if action.failed:
        ctx.progress("", None)  # a later retry (after a new PUT) starts afresh
        return Outcome.failed(reason_from_code(action.error_code or "action_failed"),
                              f"Hetzner action {action.command} failed: {action.error_message or 'no reason given'}")
    ctx.progress(f"{step}:done", None)
    return None
