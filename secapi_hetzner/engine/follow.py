"""Start a Hetzner action once and follow it to the end, across worker restarts.

The action id is recorded on the operation (``step``, ``action_id``) before anything else happens,
so a worker that dies while the action runs is replaced by one that keeps following the same action
instead of starting it again.
"""

from __future__ import annotations

from collections.abc import Callable

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.worker import camel
from secapi_hetzner.hetzner import HAction


def follow(ctx: StepContext, step: str, start: Callable[[], HAction | None]) -> Outcome | None:
    """None when ``step``'s action has finished successfully (carry on); otherwise what to report."""
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
        return Outcome.retry(ctx.action_poll, f"waiting for Hetzner action {action.command} ({action.id})")
    if action.failed:
        ctx.progress("", None)  # a later retry (after a new PUT) starts afresh
        return Outcome.failed(camel(action.error_code or "action_failed"),
                              f"Hetzner action {action.command} failed: {action.error_message or 'no reason given'}")
    ctx.progress(f"{step}:done", None)
    return None
