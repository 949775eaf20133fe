"""SIGTERM drains a worker process: it stops claiming, lets the step it is in finish (here: a server create
that Hetzner answers slowly), hands the rest of the operation back to the queue and exits; another worker
finishes it with one server. Nothing is lost, nothing is done twice."""

from __future__ import annotations

import signal
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
    operations,
    read,
    storage_body,
    wait_until,
)

SLOW = 2.0  # seconds Hetzner takes to answer the create


def test_sigterm_during_a_long_step_finishes_it_and_hands_the_operation_back(
        service: Service, hetzner: Hetzner, workers: Workers, spawn_worker: Callable[..., WorkerProcess]) -> None:
    accepted(service.put(f"{STORAGE}/boot-drain", storage_body(20)), 201)
    workers.new().drain(timeout=20)
    hetzner.fault("POST", r"^/servers$", latency=SLOW)  # the create is answered late: the step is in it
    process = spawn_worker(HCLOUD_TIMEOUT=str(4 * SLOW))
    process.id  # registered  # noqa: B018
    accepted(service.put(f"{COMPUTE}/vm-drain", instance_body("boot-drain")), 201)
    wait_until(lambda: hetzner.requests("POST /servers") == 1, 20, "the worker to send the create")
    process.process.send_signal(signal.SIGTERM)
    assert process.process.wait(timeout=4 * SLOW + 10) == 0, process.output()
    [op] = operations("instance", "vm-drain")
    assert op["status"] == "todo", op  # handed back, not held by a worker that is gone
    [server] = hetzner.owned("servers", "instance", "vm-drain")  # the step it was in finished: created once
    workers.new().drain(timeout=30)
    assert read(service, f"{COMPUTE}/vm-drain")["status"]["state"] == "active"
    assert [s["id"] for s in hetzner.owned("servers", "instance", "vm-drain")] == [server["id"]]
