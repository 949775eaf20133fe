"""The database drops every connection (a restart, a failover, an operator's ``pg_terminate_backend``)
while a worker follows a slow Hetzner action (issue 8, "nothing sticks").

Whatever the worker was doing at that instant — claiming, reading the resource, recording the outcome
of a poll — the operation must end: the instance becomes ``active``, with one server, and the worker
that lost its connections (alive, heart-beating, so the stall check never frees its work) carries on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from secapi_hetzner import errors
from secapi_hetzner.app.services import current
from secapi_hetzner.engine.outcome import MAX_ATTEMPTS_UNEXPECTED
from secapi_hetzner.store import Database
from tests.conftest import Service
from tests.failure.conftest import (
    COMPUTE,
    STORAGE,
    Hetzner,
    Workers,
    accepted,
    instance_body,
    storage_body,
    wait_until,
)

TERMINATE = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE pid <> pg_backend_pid() AND datname = current_database()")
CREATE_SECONDS = 1.5  # how long Hetzner's create action runs
NEVER_STALE = 600.0  # the stall check must not be what rescues the operation


@pytest.fixture(autouse=True)
def healed_pools(worker_db: Database) -> Iterator[None]:
    """After each test, the pools forget the connections it broke (the next test and teardown start clean)."""
    yield
    current().db.pool.check()
    worker_db.pool.check()


def drop_connections() -> int:
    """Terminate every other session of the service's database (the pools' connections all break)."""
    with psycopg.connect(current().settings.database_url, autocommit=True) as conn:
        return len(conn.execute(TERMINATE).fetchall())


def apply_op(name: str) -> dict[str, Any] | None:
    """The instance's operation row, read on a connection of its own (the pools may hold broken ones; a
    drop may also break this one: read again)."""
    for attempt in range(5):
        try:
            with psycopg.connect(current().settings.database_url, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT o.status, o.step, o.action_id, o.worker_id, o.failures, o.attempts, o.last_error "
                    "FROM operations o JOIN resources r ON r.id = o.resource_id "
                    "WHERE r.kind = 'instance' AND r.name = %s ORDER BY o.id DESC LIMIT 1", (name,)).fetchone()
            break
        except psycopg.OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.05)
    return None if row is None else dict(zip(("status", "step", "action_id", "worker_id", "failures", "attempts",
                                               "last_error"), row, strict=True))


def state_of(service: Service, path: str) -> str | None:
    """The resource's state, or None while the service answers 503 (one of its connections was broken)."""
    response = service.get(path)
    return str(response.json()["status"]["state"]) if response.status_code == 200 else None


def put_instance(service: Service, name: str) -> None:
    for _ in range(3):  # the service's own pool may hold a connection broken by an earlier test: 503 once
        response = service.put(f"{STORAGE}/boot-{name}", storage_body(20))
        if response.status_code != 503:
            break
    accepted(response, 201)
    accepted(service.put(f"{COMPUTE}/{name}", instance_body(f"boot-{name}")), 201)


def slow_creates(hetzner: Hetzner) -> None:
    """Hetzner's create action takes CREATE_SECONDS (the simulator's timing control, over HTTP)."""
    control = hetzner.simulator.url.removesuffix("/v1") + "/_sim/actions/timing"
    httpx.put(control, json={"seconds": 0, "commands": {"create_server": CREATE_SECONDS}}).raise_for_status()


def following(name: str) -> dict[str, Any] | None:
    """The operation, once it follows Hetzner's create action."""
    op = apply_op(name)
    return op if op and op["step"] == "create" and op["action_id"] else None


def ends_active(service: Service, hetzner: Hetzner, name: str) -> dict[str, Any]:
    path = f"{COMPUTE}/{name}"
    wait_until(lambda: state_of(service, path) == "active", 20,
               f"{name} to become active (its operation: {apply_op(name)})")
    op = apply_op(name)
    assert op is not None and op["status"] == "succeeded", op
    # the polls of the running action are not failures; only the runs the database broke are
    assert op["failures"] < MAX_ATTEMPTS_UNEXPECTED, op
    assert len(hetzner.owned("servers", "instance", name)) == 1
    assert len(hetzner.actions("create_server")) == 1
    return op


class DropFirst:
    """Wraps one database method of a worker: once armed, the next call first drops every connection, so
    that call meets a broken one (``lost_answer``: the call is made, then its answer is lost)."""

    def __init__(self, owner: object, name: str, *, lost_answer: bool = False) -> None:
        self.owner, self.name, self.lost_answer = owner, name, lost_answer
        self.original: Callable[..., Any] = getattr(owner, name)
        self.armed = self.fired = False
        setattr(owner, name, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.armed or self.fired:
            return self.original(*args, **kwargs)
        self.fired = True
        if self.lost_answer:
            self.original(*args, **kwargs)
            drop_connections()
            raise errors.Unavailable("The database is not reachable right now.")
        drop_connections()
        return self.original(*args, **kwargs)


# where the worker meets the broken connections: recording a poll's outcome (is it still mine? back to
# the queue), reading the resource at the start of a run, and a claim whose answer is lost
BREAKS = {"record-holds": ("queue", "holds", False), "record-retry": ("queue", "retry", False),
          "execute-read": ("repository", "get_by_id", False), "claim-answer-lost": ("queue", "claim", True)}


@pytest.mark.parametrize("where", list(BREAKS))
def test_connections_dropped_while_following_the_create_action_it_still_ends_active(
        service: Service, hetzner: Hetzner, workers: Workers, where: str) -> None:
    name = f"vm-{where}"
    slow_creates(hetzner)
    put_instance(service, name)
    worker = workers.new(worker_stale_after=NEVER_STALE, action_poll=0.05, retry_base=0.05)
    part, method, lost_answer = BREAKS[where]
    trap = DropFirst(getattr(worker, part), method, lost_answer=lost_answer)
    workers.start(worker)
    wait_until(lambda: following(name), 15, "the create action to be followed")
    trap.armed = True
    wait_until(lambda: trap.fired, 15, f"the worker to call {method}")

    op = ends_active(service, hetzner, name)
    assert op["failures"] <= 1, op  # the one run the database broke; the action's polls are no failures
    with psycopg.connect(current().settings.database_url, autocommit=True) as conn:  # the same worker, alive
        assert conn.execute("SELECT 1 FROM workers WHERE id = %s", (worker.id,)).fetchone() is not None


def test_connections_dropped_again_and_again_while_following_the_create_still_ends_active(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    """An outage: every connection is killed every 20 ms for a second and a half, whatever the worker is
    doing then (claiming, reading the resource, recording, heart-beating)."""
    slow_creates(hetzner)
    put_instance(service, "vm-outage")
    workers.start(workers.new(worker_stale_after=NEVER_STALE, action_poll=0.02, retry_base=0.05))
    wait_until(lambda: following("vm-outage"), 15, "the create action to be followed")
    until = time.monotonic() + CREATE_SECONDS
    while time.monotonic() < until:
        drop_connections()
        time.sleep(0.02)

    ends_active(service, hetzner, "vm-outage")
