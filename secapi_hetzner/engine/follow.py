"""Start a Hetzner action once and follow it to the end, across worker restarts.

The action id is recorded on the operation (``step``, ``action_id``) before anything else happens,
so a worker that dies while the action runs is replaced by one that keeps following the same action
instead of starting it again. Steps are named by each kind's enum, with an optional target (the type
a server changes to, the volume it attaches): stored as ``name`` or ``name/target``, and
``…:done`` once the action succeeded.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

from secapi_hetzner.clock import now
from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.outcome import Outcome, reason_from_code
from secapi_hetzner.hetzner import HAction, HetznerNotFound

log = logging.getLogger(__name__)


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
        action = _read(ctx, op.action_id)
        if isinstance(action, Outcome):
            return action
    else:
        started = start()
        if started is None:
            ctx.progress(f"{step}:done", None)
            return None
        action = started
        ctx.pacing.started(action.id)
        ctx.progress(step, action.id)
    return _settle(ctx, step, action)


def resume(ctx: StepContext, watched: tuple[enum.StrEnum, ...] = ()) -> Outcome | HAction | None:
    """Look at the action the operation follows, if one is in flight, before anything else is read: a
    run that only waits for Hetzner costs one action read. What to report while it runs or when it
    failed; the action when it has just succeeded (the step that started it then finds it done, and
    the caller may use what the success implies instead of reading again); None when nothing is in
    flight, or when the step is one of ``watched`` (its effect is read instead of the action)."""
    op = ctx.operation
    if op.action_id is None or not op.step or op.step.endswith(":done") or op.step in watched:
        return None
    action = _read(ctx, op.action_id)
    if isinstance(action, Outcome):
        return action
    return _settle(ctx, op.step, action) or action


def _read(ctx: StepContext, action_id: int) -> HAction | Outcome:
    """The action, or, when Hetzner no longer knows it (a simulator restarted without its state, say), an
    outcome that forgets it: the next run carries on from what Hetzner shows of the object itself (a
    create whose server exists goes on with that server; one whose server is missing is looked for by its
    labels, then sent again). Counted as a failure, so it cannot repeat for ever."""
    try:
        return ctx.watch.read(ctx, action_id)
    except HetznerNotFound:
        ctx.progress("", None)
        return Outcome.retry_after_failure(ctx.timings.action_poll, "ActionLost",
                                           f"Hetzner no longer knows action {action_id}; carrying on from the "
                                           "state of the object itself.")


def _settle(ctx: StepContext, step: str, action: HAction) -> Outcome | None:
    if action.running:
        elapsed = ctx.pacing.elapsed(action.id)
        if elapsed is None:  # started by another process: Hetzner's date tells
            elapsed = (now() - action.started).total_seconds() if action.started else 0.0
            if action.started is not None and action.started.microsecond == 0:
                elapsed -= 0.5  # Hetzner dates actions to the second: it started half a second later, on average
        pause = ctx.pacing.pause(action.command, elapsed, ctx.timings.action_poll)
        log.debug("action %s %s running %.2fs (expected %.2fs): next read in %.2fs", action.id, action.command,
                  elapsed, ctx.pacing.expected(action.command), pause)
        return ctx.wait(f"waiting for Hetzner action {action.command} ({action.id})", pause, reason="ActionTimeout")
    ctx.pacing.observe(action.command, action.seconds)
    if action.failed:
        ctx.progress("", None)  # a later retry (after a new PUT) starts afresh
        return Outcome.failed(reason_from_code(action.error_code or "action_failed"),
                              f"Hetzner action {action.command} failed: {action.error_message or 'no reason given'}")
    ctx.progress(f"{step}:done", None)
    return None
