"""Push wake-ups: an operation enqueued anywhere wakes a listening worker at once (PostgreSQL LISTEN/NOTIFY),
so a worker with an hour-long poll interval still takes it; a worker whose listening connection is killed
listens again, and polling covers the gap."""

from __future__ import annotations

import pytest

from secapi_hetzner.runner import worker as worker_module
from tests.conftest import Service
from tests.failure.conftest import STORAGE, Workers, accepted, read, sql, storage_body, wait_until

LISTENING = "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN seca_operations'"


def test_a_worker_that_would_poll_in_an_hour_is_woken_by_the_enqueue(
        service: Service, workers: Workers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "POLL_SECONDS", 3600.0)
    listener = workers.start(workers.new())
    wait_until(lambda: sql(LISTENING), what="the worker to listen")
    accepted(service.put(f"{STORAGE}/woken", storage_body(20)), 201)  # the API enqueues: NOTIFY at commit
    wait_until(lambda: read(service, f"{STORAGE}/woken")["status"]["state"] == "active", 20,
               "the woken worker to run the operation")

    # the listening connection dies: the worker listens again and is woken again
    [row] = sql(LISTENING)
    sql("SELECT pg_terminate_backend(%s)", row["pid"])
    wait_until(lambda: [r for r in sql(LISTENING) if r["pid"] != row["pid"]], what="listening again")
    accepted(service.put(f"{STORAGE}/woken-again", storage_body(20)), 201)
    wait_until(lambda: read(service, f"{STORAGE}/woken-again")["status"]["state"] == "active", 20,
               "the worker to be woken on its new connection")
    assert listener.id
