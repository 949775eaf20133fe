"""The worker's outcome mapping: what a step's exception becomes, and what each outcome does to the
operation (with a fake queue and a fake step context). No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from secapi_hetzner.engine.outcome import MAX_ATTEMPTS_UNEXPECTED, MAX_FAILURES, Outcome, backoff, reason_from_code
from secapi_hetzner.errors import Unavailable
from secapi_hetzner.hetzner import HetznerNotFound, HetznerRejected, HetznerTransient
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.runner.worker import Worker, outcome_for
from secapi_hetzner.settings import EngineTimings
from secapi_hetzner.store.operations import Operation


@pytest.mark.parametrize(("exc", "kind", "reason"), [
    (HetznerTransient("rate_limit_exceeded", "slow down"), "retry", "RateLimitExceeded"),
    (HetznerTransient("resource_unavailable", "sold out"), "retry", "ResourceUnavailable"),
    (HetznerNotFound("not_found", "server 1 not found"), "retry", "NotFound"),
    (HetznerRejected("invalid_input", "bad name"), "failed", "InvalidInput"),
    (RuntimeError("the database went away"), "retry", "InternalError"),
    (Unavailable("The Hetzner catalog cannot be read right now (rate_limit_exceeded)."), "retry", "Unavailable"),
])
def test_exceptions_become_outcomes(exc: Exception, kind: str, reason: str) -> None:
    outcome = outcome_for(exc, failures=2, retry_base=1.0)
    assert (outcome.kind, outcome.reason) == (kind, reason)
    if kind == "retry":
        assert outcome.failure and outcome.delay == backoff(3, 1.0) == 4.0
        assert "failure 3 of" in outcome.message  # the condition says how long the wait may last
    else:
        assert "bad name" in outcome.message


@pytest.mark.parametrize(("exc", "limit"), [(HetznerTransient("resource_unavailable", "sold out"), MAX_FAILURES),
                                            (HetznerNotFound("not_found", "gone"), MAX_FAILURES),
                                            (ValueError("bug"), MAX_ATTEMPTS_UNEXPECTED)])
def test_every_wait_ends(exc: Exception, limit: int) -> None:
    assert outcome_for(exc, failures=limit - 2, retry_base=1.0).kind == "retry"
    outcome = outcome_for(exc, failures=limit - 1, retry_base=1.0)
    assert outcome.kind == "failed" and f"after {limit} failures" in outcome.message


def test_reason_from_code() -> None:
    assert reason_from_code("rate_limit_exceeded") == "RateLimitExceeded"
    assert reason_from_code("") == "Error"
    assert reason_from_code("429") == "RateLimitExceeded" and reason_from_code("418") == "Http418"
    assert reason_from_code("9lives") == "Error"  # a reason starts with a letter (the spec's pattern)
    assert backoff(10_000) == 60.0  # bounded, never an overflow


@dataclass
class FakeQueue:
    held: bool = True
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def holds(self, op: Operation, worker_id: str) -> bool:
        return self.held

    def retry(self, op: Operation, delay: float, error: str = "", worker_id: str | None = None, *,
              failed: bool = False) -> None:
        self.calls.append(("retry", delay, error, failed))

    def finish(self, op: Operation, status: str = "succeeded", error: str = "", worker_id: str | None = None) -> bool:
        self.calls.append(("finish", status, error))
        return True


@dataclass
class FakeContext:
    operation: Operation
    updates: list[dict[str, Any]] = field(default_factory=list)
    #: what the outcome metrics read of the resource: its kind
    resource: Any = field(default_factory=lambda: SimpleNamespace(key=SimpleNamespace(kind="instance")))

    def update(self, **changes: Any) -> None:
        self.updates.append(changes)

    def waiting_on(self, reason: str, message: str) -> None:
        self.updates.append({"waiting_on": reason, "message": message})


def _record(outcome: Outcome, reason: str = "apply", held: bool = True) -> tuple[FakeQueue, FakeContext]:
    worker = Worker(None, lambda name: None, lambda r: None, worker_id="w1",  # type: ignore[arg-type]
                    timings=EngineTimings(retry_base=1.0))
    queue = FakeQueue(held)
    worker.queue = queue  # type: ignore[assignment]
    ctx = FakeContext(Operation(1, uuid4(), reason, 2, "", None, "key"))
    worker.record(ctx, outcome)  # type: ignore[arg-type]
    return queue, ctx


def test_done_finishes() -> None:
    queue, ctx = _record(Outcome.done())
    assert queue.calls == [("finish", "succeeded", "")] and ctx.updates == []


def test_retry_keeps_the_operation() -> None:
    queue, ctx = _record(Outcome.retry(2.5, "waiting"))
    assert queue.calls == [("retry", 2.5, "waiting", False)] and ctx.updates == []  # a wait is no failure


def test_a_retry_after_failure_is_counted_and_explained() -> None:
    queue, ctx = _record(Outcome.retry_after_failure(4.0, "ResourceUnavailable", "sold out (failure 3 of 12)"))
    assert queue.calls == [("retry", 4.0, "sold out (failure 3 of 12)", True)]
    assert ctx.updates == [{"waiting_on": "ResourceUnavailable", "message": "sold out (failure 3 of 12)"}]


def test_failed_puts_the_resource_in_error() -> None:
    queue, ctx = _record(Outcome.failed("ResourceUnavailable", "sold out"))
    assert queue.calls == [("finish", "failed", "sold out")]
    assert ctx.updates == [{"event": Event.FAILED, "reason": "ResourceUnavailable", "message": "sold out",
                            "force": True}]


def test_a_refused_delete_keeps_deleting_and_says_why() -> None:
    queue, ctx = _record(Outcome.failed("Locked", "server is locked"), reason="delete")
    assert ctx.updates[0]["event"] == Event.DELETE and ctx.updates[0]["message"] == "server is locked"
    assert queue.calls == [("retry", backoff(1, 1.0, cap=300), "server is locked", True)]


def test_a_handed_over_operation_drops_the_late_outcome() -> None:
    queue, ctx = _record(Outcome.failed("X", "late"), held=False)
    assert queue.calls == [] and ctx.updates == []
