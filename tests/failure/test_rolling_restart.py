"""A rolling restart under load loses no operation: worker processes are replaced one after another
(SIGTERM, a new one started) while instances are created and started; every instance ends active and
running, with exactly one server each, and every operation finished."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from tests.conftest import Service
from tests.failure.conftest import (
    COMPUTE,
    STORAGE,
    Hetzner,
    WorkerProcess,
    Workers,
    accepted,
    instance_body,
    read,
    sql,
    storage_body,
    wait_until,
)

COUNT = 6


def test_replacing_every_worker_while_instances_are_created_and_started_loses_nothing(
        service: Service, hetzner: Hetzner, workers: Workers, spawn_worker: Callable[..., WorkerProcess]) -> None:
    names = [f"roll-{i}" for i in range(COUNT)]
    for name in names:
        accepted(service.put(f"{STORAGE}/boot-{name}", storage_body(20)), 201)
    workers.new().drain(timeout=30)
    running = [spawn_worker(), spawn_worker()]
    for process in running:
        process.id  # registered  # noqa: B018
    for name in names:
        accepted(service.put(f"{COMPUTE}/{name}", instance_body(f"boot-{name}")), 201)
    for replaced in range(2):  # roll both: stop the oldest (SIGTERM drains it), start a fresh one
        wanted = 1 + replaced
        wait_until(lambda wanted=wanted: hetzner.requests("POST /servers") >= wanted, 30,  # type: ignore[misc]
                   "work to be under way")
        oldest = running.pop(0)
        oldest.process.send_signal(signal.SIGTERM)
        assert oldest.process.wait(timeout=30) == 0, oldest.output()
        fresh = spawn_worker()
        fresh.id  # noqa: B018
        running.append(fresh)
    wait_until(lambda: all(read(service, f"{COMPUTE}/{n}")["status"]["state"] == "active" for n in names), 60,
               "every instance to be created")
    for name in names:  # act on them while the workers are replaced again
        accepted(service.post(f"{COMPUTE}/{name}/start"), 202)
    oldest = running.pop(0)
    oldest.process.send_signal(signal.SIGTERM)
    assert oldest.process.wait(timeout=30) == 0, oldest.output()
    running.append(spawn_worker())
    wait_until(lambda: all(read(service, f"{COMPUTE}/{n}")["status"].get("powerState") == "on" for n in names), 60,
               "every instance to run")
    deadline = time.monotonic() + 30
    while sql("SELECT id FROM operations WHERE status IN ('todo', 'doing')") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sql("SELECT status, count(*) AS n FROM operations WHERE status IN ('todo', 'doing', 'failed') "
               "GROUP BY status") == []
    for name in names:
        [server] = hetzner.owned("servers", "instance", name)  # one each: nothing created twice
        assert server["status"] == "running"
