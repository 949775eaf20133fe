"""Workers: claim operations, run them through the kind's reconciler, record the outcome.

Runs inside the serving process (a thread, by default) and as ``secapi-hetzner worker`` processes
for scale-out; any number share one PostgreSQL. A worker killed at any instant leaves its operation
``doing``; once its heartbeat is stale another worker returns it to the queue, and the re-run adopts
whatever the dead worker created on Hetzner (by ownership label) instead of creating it twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from secapi_hetzner import errors, metrics, tracing
from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.outcome import MAX_ATTEMPTS_UNEXPECTED, MAX_FAILURES, Outcome, backoff, reason_from_code
from secapi_hetzner.engine.pacing import ActionPacing
from secapi_hetzner.engine.watch import ActionWatch
from secapi_hetzner.hetzner import Gateway, HetznerError, HetznerRejected, HetznerTransient
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.settings import EngineTimings
from secapi_hetzner.store import Database, notifications
from secapi_hetzner.store.operations import Operation, Queue
from secapi_hetzner.store.repository import Resource, ResourceRepository

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 5.0
#: Hetzner's answer while another action of the object runs: a wait (bounded by the hour), not a failure
LOCKED = "locked"


def outcome_for(exc: Exception, failures: int, retry_base: float) -> Outcome:
    """What a step that raised ``exc`` reports, given the operation's ``failures`` so far: Hetzner's
    rejections fail at once with Hetzner's reason; its transient failures and not-founds, and unexpected
    errors (a bug, the database away), are retried with backoff and a condition that says so, until
    there were too many: then the operation ends in ``error`` (every wait ends)."""
    nth = failures + 1
    if isinstance(exc, HetznerRejected):
        return Outcome.failed(reason_from_code(exc.code), f"Hetzner rejected the request: {exc.message} ({exc.code})")
    if isinstance(exc, HetznerError):
        reason, limit = reason_from_code(exc.code), MAX_FAILURES
        message = f"Hetzner: {exc.code}: {exc.message}"
    elif isinstance(exc, errors.Unavailable):  # the catalog cannot be read right now: as transient as Hetzner
        reason, limit, message = "Unavailable", MAX_FAILURES, exc.detail
    else:
        reason, limit, message = "InternalError", MAX_ATTEMPTS_UNEXPECTED, repr(exc)
    if nth >= limit:
        return Outcome.failed(reason, f"Gave up after {nth} failures; the last: {message}")
    return Outcome.retry_after_failure(backoff(nth, retry_base), reason,
                                       f"{message} (retrying, failure {nth} of {limit})")


class Worker:
    def __init__(self, db: Database, kinds: Callable[[str], Kind], gateway_for: Callable[[Resource], Gateway], *,
                 worker_id: str | None = None, timings: EngineTimings | None = None,
                 architecture_of: Callable[[str], str] | None = None,
                 resolve_sku: Callable[[str, str], str | None] | None = None) -> None:
        self.timings = timings or EngineTimings()
        self.pacing = ActionPacing(self.timings.action_time_scale)
        self.watch = ActionWatch(fresh=min(1.0, self.timings.action_poll))
        self.architecture_of = architecture_of or (lambda name: "x86")
        self.resolve_sku = resolve_sku or (lambda region, sku: sku)
        self.db = db
        self.queue = Queue(db)
        self.repository = ResourceRepository(db)
        self.kinds = kinds
        self.gateway_for = gateway_for
        self.id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._registered = False
        self._unsettled = False  # an exception interrupted a run: this worker may still hold an operation

    def register(self) -> None:
        """Join the worker table: done when the worker starts running (claims need it), never before."""
        self.queue.register(self.id)
        self._registered = True

    @property
    def retry_base(self) -> float:
        return self.timings.retry_base

    @property
    def stale_after(self) -> float:
        return self.timings.stale_after

    # -- loop ------------------------------------------------------------------------------------------

    def run_once(self) -> bool:
        """Claim and run one operation; False when none was due.

        An exception on the way (the database went away while claiming, reading the resource or recording
        the outcome) leaves the worker *unsettled*: it may still hold an operation, as ``doing``, that no
        stall check would free (this worker is alive and heart-beating). Before it claims anything else,
        the next call returns that operation to the queue (a failure counted), so nothing sticks."""
        if not self._registered:
            self.register()
        if self._unsettled:
            self.settle()
        try:
            op = self.queue.claim(self.id)  # a claim whose answer was lost is held all the same
            if op is None:
                return False
            self.execute(op)
        except BaseException:
            self._unsettled = True
            raise
        return True

    def settle(self) -> None:
        """Return whatever this worker still holds to the queue (raises while the database is away)."""
        returned = self.queue.return_held(self.id, backoff(1, self.retry_base),
                                          "the database went away during the run (retrying)")
        self._unsettled = False
        if returned:
            log.warning("worker %s: returned %d operation(s) it lost track of to the queue", self.id, returned)

    def drain(self, timeout: float = 30.0) -> None:
        """Run until no operation is waiting (tests and benchmarks), with a deadline."""
        deadline = time.monotonic() + timeout
        self.register()
        last_beat = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() - last_beat > min(HEARTBEAT_SECONDS, self.stale_after / 3):
                self.queue.register(self.id)  # else its own requeue_stalled declares it dead
                last_beat = time.monotonic()
            self.queue.requeue_stalled(self.stale_after)
            if self.run_once():
                continue
            if self.queue.unfinished() == 0:
                return
            time.sleep(0.005)  # an operation waits for its retry time
        raise TimeoutError(f"operations unfinished after {timeout}s: {self.queue.counts()}")

    def _heartbeat(self) -> None:
        """Beat from its own thread, so a worker busy in a slow Hetzner call is not declared dead."""
        beat_every = min(HEARTBEAT_SECONDS, self.stale_after / 3)
        while not self._stop.wait(beat_every):
            try:  # register, not just beat: a worker another replica declared dead rejoins
                self.queue.register(self.id)
            except Exception:  # a database outage must not end the heartbeat
                log.exception("worker %s: heartbeat failed", self.id)

    def run_forever(self, resync: Callable[[], object] | None = None) -> None:
        """Work until :meth:`stop`; every ``timings.resync_every`` seconds also run the drift check."""
        try:
            self.register()
        except Exception:  # the database is away: the heartbeat thread registers as soon as it is back
            log.exception("worker %s: registering failed", self.id)
        threading.Thread(target=self._heartbeat, name=f"heartbeat-{self.id}", daemon=True).start()
        if self.db.url:  # new work queued by any replica wakes this worker at once (polling stays the fallback)
            threading.Thread(target=notifications.listen, args=(self.db.url, self.wake, self._stop),
                             name=f"listen-{self.id}", daemon=True).start()
        try:
            self._work(resync)
        finally:  # however the loop ends, the heartbeat ends with it (a beating worker's work is never freed)
            self._stop.set()
        for attempt in range(3):  # a pooled connection the database dropped fails once: try again
            try:
                self.queue.unregister(self.id)
                return
            except Exception:  # the database is away: its operations are freed once the heartbeat is stale
                if attempt == 2:
                    log.exception("worker %s: unregistering failed", self.id)
                time.sleep(0.05)

    def _work(self, resync: Callable[[], object] | None) -> None:
        last_requeue = last_resync = 0.0
        while not self._stop.is_set():
            if time.monotonic() - last_requeue > min(HEARTBEAT_SECONDS, self.stale_after / 3):
                try:
                    self.queue.requeue_stalled(self.stale_after)
                except Exception:  # must not kill the worker thread
                    log.exception("worker %s: requeueing stalled operations failed", self.id)
                last_requeue = time.monotonic()
            if resync is not None and time.monotonic() - last_resync > self.timings.resync_every:
                last_resync = time.monotonic()
                try:
                    resync()
                except Exception:  # Hetzner or the database down: try again next round
                    log.exception("worker %s: drift check failed", self.id)
            try:
                worked = self.run_once()
            except Exception:  # a database outage must not kill the worker thread; run_once settles next
                log.exception("worker %s: running an operation failed", self.id)
                worked = False
            if not worked:
                self._idle()

    def wake(self) -> None:
        """New work was queued in this process: stop idling now."""
        self._wake.set()

    def _idle(self) -> None:
        """Sleep until the next operation is due, new work is queued here, or the poll interval passes."""
        try:
            due = self.queue.next_due_in()
        except Exception:  # the database is away: poll again later
            due = None
        self._wake.wait(POLL_SECONDS if due is None else min(POLL_SECONDS, due))
        self._wake.clear()

    def start_thread(self, resync: Callable[[], object] | None = None) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, args=(resync,), name=f"worker-{self.id}",
                                  daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    # -- one operation ---------------------------------------------------------------------------------

    def execute(self, op: Operation) -> None:
        resource = self.repository.get_by_id(op.resource_id)
        if resource is None or resource.purged_at is not None:
            self.queue.finish(op, "cancelled", "the resource is gone", self.id)
            return
        kind = self.kinds(resource.key.kind)
        assert kind.reconciler is not None
        ctx = StepContext(self.db, self.repository, self.queue, self.gateway_for(resource), op, resource,
                          kind.record, self.architecture_of, self.resolve_sku, self.timings, self.pacing,
                          self.watch)
        try:
            with tracing.step_span(f"{op.reason} {resource.key.kind}", op.traceparent, {
                    "seca.kind": resource.key.kind, "seca.operation": op.id, "seca.step": op.step or "start"}):
                if op.reason == "apply":
                    outcome = kind.reconciler.apply(ctx)
                elif op.reason == "delete":
                    outcome = kind.reconciler.delete(ctx)
                else:
                    outcome = kind.reconciler.act(ctx, op.reason)
        except HetznerTransient as exc:
            if exc.code == LOCKED:  # one of the object's actions runs (maybe ours, whose answer was lost): wait
                outcome = ctx.wait(f"Hetzner: {exc.code}: {exc.message}", max(self.timings.action_poll, 0.1),
                                   reason="Locked")
            else:
                outcome = outcome_for(exc, op.failures, self.retry_base)
        except Exception as exc:
            if not isinstance(exc, HetznerError | errors.Unavailable):
                log.exception("operation %s (%s) failed unexpectedly", op.id, op.reason)
            outcome = outcome_for(exc, op.failures, self.retry_base)
        self.record(ctx, outcome)

    def record(self, ctx: StepContext, outcome: Outcome) -> None:
        op = ctx.operation
        kind = ctx.resource.key.kind
        metrics.OPERATION_OUTCOMES.labels(kind, metrics.reason_label(op.reason), outcome.kind).inc()
        if outcome.kind == "retry" and outcome.failure:
            metrics.OPERATION_RETRIES.labels(kind).inc()
        if not self.queue.holds(op, self.id):
            # This worker was declared dead and its operation handed to another one while it ran:
            # that one owns the outcome now, and this late one must not overwrite it.
            log.warning("worker %s: operation %s was handed over meanwhile; dropping its %s outcome",
                        self.id, op.id, outcome.kind)
            return
        if outcome.kind == "retry":
            if outcome.failure:  # say on the resource why it is not done yet
                ctx.waiting_on(outcome.reason, outcome.message)
            self.queue.retry(op, outcome.delay, outcome.message, self.id, failed=outcome.failure)
        elif outcome.kind == "failed":
            if op.reason != "delete":
                ctx.update(event=Event.FAILED, reason=outcome.reason, message=outcome.message, force=True)
            else:  # a delete that Hetzner refuses: keep deleting, say why, try again later
                ctx.update(event=Event.DELETE, reason=outcome.reason, message=outcome.message, force=True)
                self.queue.retry(op, backoff(op.failures + 1, self.retry_base, cap=300), outcome.message, self.id,
                                 failed=True)
                return
            self.queue.finish(op, "failed", outcome.message, self.id)
        else:
            self.queue.finish(op, "succeeded", worker_id=self.id)
