"""One read of Hetzner's actions for every operation of a project that waits on one.

The first operation due reads the actions of all operations of its tenant that wait on one
(``GET /actions?id=…&id=…``, 50 a call) and wakes those whose action has finished; the others find
their action here while the read is fresh, and cost no call. Finished actions never change, so they
are kept until evicted by age.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from secapi_hetzner.hetzner.models import HAction

if TYPE_CHECKING:
    from secapi_hetzner.engine.context import StepContext

#: how long a read of a running action answers for other operations
FRESH_SECONDS = 1.0
#: finished actions are forgotten after this long (nobody asks for them any more)
KEEP_SECONDS = 600.0
BATCH = 50


class ActionWatch:
    def __init__(self, fresh: float = FRESH_SECONDS) -> None:
        self._fresh = fresh
        self._seen: dict[tuple[str, int], tuple[HAction, float]] = {}
        self._lock = threading.Lock()

    def read(self, ctx: StepContext, action_id: int) -> HAction:
        project = ctx.gateway.project
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get((project, action_id))
        if seen is not None and (not seen[0].running or now - seen[1] < self._fresh):
            return seen[0]
        waiting = ctx.queue.waiting_on_actions(ctx.resource.key.tenant)
        ids = [action_id] + sorted({a for a in waiting.values() if a != action_id})[: BATCH - 1]
        actions = ctx.gateway.get_actions(ids)
        finished = {a.id for a in actions if not a.running}
        with self._lock:
            self._forget(now)
            for action in actions:
                self._seen[(project, action.id)] = (action, now)
        woken = [op_id for op_id, waited in waiting.items() if waited in finished and waited != action_id]
        if woken:
            ctx.queue.wake(woken)
        found = next((a for a in actions if a.id == action_id), None)
        return found if found is not None else ctx.gateway.get_action(action_id)  # Hetzner lost it: ask alone

    def _forget(self, now: float) -> None:
        for key in [k for k, (_, at) in self._seen.items() if now - at > KEEP_SECONDS]:
            del self._seen[key]
