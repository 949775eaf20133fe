"""Workers dying at the worst moments: before the Hetzner call, after it (before the result is
recorded), and while following a Hetzner action.

Two ways to die: in-process (a worker claims and never finishes, or hangs inside a Hetzner call
until another worker has taken over), and a real ``secapi-hetzner worker`` process killed with
SIGKILL. Either way a fresh worker must finish the job with exactly one server and no orphan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from secapi_hetzner.runner import Worker
from tests.conftest import Service, hetzner_pace
from tests.failure.conftest import (
    COMPUTE,
    STORAGE,
    Hetzner,
    WorkerProcess,
    Workers,
    accepted,
    claim_as_dead_worker,
    instance_body,
    make_stale,
    operations,
    read,
    sql,
    states,
    storage_body,
    wait_until,
)

HANG = 1.0  # how long Hetzner holds a request that a worker is stuck in
CREATED = ["active", "creating", "pending"]


def put_boot_disk(service: Service, name: str) -> None:
    accepted(service.put(f"{STORAGE}/boot-{name}", storage_body(20)), 201)


def put_instance(service: Service, name: str) -> None:
    accepted(service.put(f"{COMPUTE}/{name}", instance_body(f"boot-{name}")), 201)


def state_of(service: Service, path: str) -> str | None:
    response = service.get(path)
    return str(response.json()["status"]["state"]) if response.status_code == 200 else None


def remove_instance(service: Service, hetzner: Hetzner, name: str, until: Callable[[], None]) -> None:
    """Delete the instance and its boot disk (``until`` lets a worker run); nothing may be left on Hetzner."""
    for path in (f"{COMPUTE}/{name}", f"{STORAGE}/boot-{name}"):
        accepted(service.delete(path), 202)
        until()
        wait_until(lambda: state_of(service, path) is None, 20, f"{path} to be deleted")  # noqa: B023
    assert hetzner.leftovers() == {}


def internal(name: str) -> dict[str, Any]:
    """What the service has recorded about the instance's Hetzner objects."""
    [row] = sql("SELECT internal FROM resources WHERE kind = 'instance' AND name = %s", name)
    value: dict[str, Any] = row["internal"]
    return value


def only_server(hetzner: Hetzner, name: str) -> dict[str, Any]:
    servers = hetzner.owned("servers", "instance", name)
    assert len(servers) == 1 and len(hetzner.servers()) == 1, hetzner.servers()
    return servers[0]


def active(service: Service, name: str) -> dict[str, Any]:
    body = read(service, f"{COMPUTE}/{name}")
    assert states(body) == CREATED, body["status"]
    return body


def apply_ops(name: str) -> list[tuple[str, str]]:
    return [(o["reason"], o["status"]) for o in operations("instance", name)]


def step_until(worker: Worker, probe: Callable[[], Any], what: str) -> Any:
    """Let ``worker`` take one due operation at a time until ``probe`` holds."""
    def tick() -> Any:
        worker.run_once()
        return probe()

    worker.queue.requeue_stalled(worker.stale_after)
    return wait_until(tick, 10, what)


# -- in-process ------------------------------------------------------------------------------------------


def test_a_worker_killed_before_calling_hetzner_is_replaced_and_nothing_is_created_twice(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    fresh = workers.new()
    put_boot_disk(service, "vm-before")
    fresh.drain(timeout=20)
    put_instance(service, "vm-before")
    dead, op = claim_as_dead_worker("instance", "vm-before")
    assert not fresh.run_once(), "the operation of a worker that still looks alive was taken over"
    assert hetzner.servers() == []
    assert state_of(service, f"{COMPUTE}/vm-before") == "pending"

    make_stale(dead)  # its heartbeat stopped stale_after ago: the operation goes back to the queue
    fresh.drain(timeout=20)
    active(service, "vm-before")
    only_server(hetzner, "vm-before")
    [row] = operations("instance", "vm-before")
    assert (row["id"], row["reason"], row["status"]) == (op.id, "apply", "succeeded")
    assert sql("SELECT id FROM workers WHERE id = %s", dead) == []  # the dead worker is forgotten
    remove_instance(service, hetzner, "vm-before", lambda: fresh.drain(timeout=20))


def test_a_worker_stuck_after_hetzner_created_the_server_is_replaced_by_one_that_adopts_it(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    stuck, fresh = workers.new(hetzner_timeout=4 * HANG), workers.new()
    put_boot_disk(service, "vm-after")
    fresh.drain(timeout=20)
    hetzner.fault("POST", r"^/servers$", after_effect=True, latency=HANG)  # created at once, answered late
    put_instance(service, "vm-after")
    thread = threading.Thread(target=stuck.run_once, name="stuck-worker", daemon=True)
    thread.start()
    [server] = wait_until(lambda: hetzner.owned("servers", "instance", "vm-after"), what="the server to exist")
    assert not internal("vm-after").get("server_id")  # the worker never got to record it

    make_stale(stuck.id)
    fresh.drain(timeout=20)
    active(service, "vm-after")
    assert only_server(hetzner, "vm-after")["id"] == server["id"]  # adopted by its ownership label

    thread.join(timeout=8 * HANG)  # the stuck worker finally hears back: nothing may change
    assert not thread.is_alive()
    assert active(service, "vm-after")["status"]["powerState"] == "off"
    assert only_server(hetzner, "vm-after")["id"] == server["id"]
    assert apply_ops("vm-after") == [("apply", "succeeded")]
    remove_instance(service, hetzner, "vm-after", lambda: fresh.drain(timeout=20))


def test_a_worker_that_comes_back_after_being_replaced_does_not_overwrite_the_outcome(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    stuck, fresh = workers.new(hetzner_timeout=4 * HANG), workers.new()
    put_boot_disk(service, "vm-zombie")
    fresh.drain(timeout=20)
    hetzner.fault("POST", r"^/servers$", latency=2 * HANG)  # Hetzner carries the create out late
    put_instance(service, "vm-zombie")
    thread = threading.Thread(target=stuck.run_once, name="stuck-worker", daemon=True)
    thread.start()
    wait_until(lambda: hetzner.requests("POST /servers") == 1, what="the stuck worker's create request")

    make_stale(stuck.id)
    fresh.drain(timeout=20)
    active(service, "vm-zombie")
    thread.join(timeout=8 * HANG)
    assert not thread.is_alive()
    hetzner.quiet()
    try:
        body = read(service, f"{COMPUTE}/vm-zombie")
        assert body["status"]["state"] == "active", body["status"]["conditions"][0]
        only_server(hetzner, "vm-zombie")
    finally:
        remove_instance(service, hetzner, "vm-zombie", lambda: fresh.drain(timeout=20))


def test_a_worker_killed_while_following_the_create_action_is_replaced_by_one_that_follows_the_same_action(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    first, fresh = workers.new(), workers.new()
    put_boot_disk(service, "vm-follow")
    first.drain(timeout=20)
    hetzner.state.set_action_timing(manual=True)  # Hetzner's create action runs until the test finishes it
    put_instance(service, "vm-follow")
    assert first.run_once()  # create the server and start following its action
    [op] = operations("instance", "vm-follow")
    server = only_server(hetzner, "vm-follow")
    [action] = hetzner.actions("create_server", "running", server=server["id"])
    assert (op["step"], op["action_id"]) == ("create", action["id"])

    dead, claimed = claim_as_dead_worker("instance", "vm-follow")  # the worker's next poll dies with it
    make_stale(dead)
    step_until(fresh, lambda: operations("instance", "vm-follow")[0]["attempts"] >= claimed.attempts + 3
               or operations("instance", "vm-follow")[0]["status"] != "todo",
               "the fresh worker to poll the action a few times")
    assert state_of(service, f"{COMPUTE}/vm-follow") == "creating"  # not active before Hetzner is done
    assert operations("instance", "vm-follow")[0]["action_id"] == action["id"]  # the same action, followed
    assert len(hetzner.actions("create_server")) == 1
    only_server(hetzner, "vm-follow")

    hetzner.state.complete_action(action["id"])
    fresh.drain(timeout=20)
    active(service, "vm-follow")
    assert only_server(hetzner, "vm-follow")["status"] == "off"
    hetzner_pace(hetzner.state)
    remove_instance(service, hetzner, "vm-follow", lambda: fresh.drain(timeout=20))


# -- a real worker process, killed with SIGKILL -------------------------------------------------------------


def started_worker_process(service: Service, spawn_worker: Callable[..., WorkerProcess], name: str,
                           **env: str) -> WorkerProcess:
    """A worker process that has done its start-up work (and its first drift check) and placed nothing yet."""
    process = spawn_worker(**env)
    put_boot_disk(service, name)
    wait_until(lambda: state_of(service, f"{STORAGE}/boot-{name}") == "active", 30,
               f"the worker process to start working\n{process.output()}")
    return process


def replacement(workers: Workers) -> Worker:
    """A fresh in-process worker that heart-beats like a real one and notices dead workers within a second."""
    return workers.start(workers.new(worker_stale_after=1.0))


def test_a_worker_process_killed_while_following_an_action_is_replaced_without_a_second_server(
        service: Service, hetzner: Hetzner, spawn_worker: Callable[..., WorkerProcess]) -> None:
    first = started_worker_process(service, spawn_worker, "vm-kill-follow")
    first_id = first.id
    hetzner.state.set_action_timing(manual=True)
    put_instance(service, "vm-kill-follow")
    [op] = wait_until(lambda: [o for o in operations("instance", "vm-kill-follow") if o["action_id"]],
                      30, "the worker process to follow the create action")
    first.kill()
    server = only_server(hetzner, "vm-kill-follow")
    [action] = hetzner.actions("create_server", "running", server=server["id"])
    assert action["id"] == op["action_id"]

    second = spawn_worker()  # a real process again, noticing the dead one after SECA_WORKER_STALE_AFTER
    base = operations("instance", "vm-kill-follow")[0]["attempts"]
    wait_until(lambda: operations("instance", "vm-kill-follow")[0]["attempts"] >= base + 3
               or operations("instance", "vm-kill-follow")[0]["status"] == "succeeded",
               30, f"the second worker to take over\n{second.output()}")
    assert state_of(service, f"{COMPUTE}/vm-kill-follow") == "creating"  # Hetzner is not done yet
    assert len(hetzner.actions("create_server")) == 1
    only_server(hetzner, "vm-kill-follow")

    hetzner.state.complete_action(action["id"])
    wait_until(lambda: state_of(service, f"{COMPUTE}/vm-kill-follow") == "active", 30, "the instance to be active")
    active(service, "vm-kill-follow")
    assert only_server(hetzner, "vm-kill-follow")["status"] == "off"
    wait_until(lambda: sql("SELECT id FROM workers WHERE id = %s", first_id) == [], 10,
               "the killed worker to be declared dead")
    hetzner_pace(hetzner.state)
    remove_instance(service, hetzner, "vm-kill-follow", lambda: None)


def test_a_worker_process_killed_after_hetzner_created_the_server_is_replaced_by_one_that_adopts_it(
        service: Service, hetzner: Hetzner, workers: Workers, spawn_worker: Callable[..., WorkerProcess]) -> None:
    first = started_worker_process(service, spawn_worker, "vm-kill-after", HCLOUD_TIMEOUT="30")
    hetzner.fault("POST", r"^/servers$", after_effect=True, latency=3.0)  # created at once, answered late
    put_instance(service, "vm-kill-after")
    [server] = wait_until(lambda: hetzner.owned("servers", "instance", "vm-kill-after"), 30,
                          f"the worker process to create the server\n{first.output()}")
    first.kill()
    assert not internal("vm-kill-after").get("server_id")  # killed before it could record the server

    replacement(workers)
    wait_until(lambda: state_of(service, f"{COMPUTE}/vm-kill-after") == "active", 20, "the instance to be active")
    active(service, "vm-kill-after")
    assert only_server(hetzner, "vm-kill-after")["id"] == server["id"]  # adopted, not created again
    assert hetzner.requests("POST /servers") == 1
    # the worker records the instance active, then its operation finished: a moment apart, in another process
    wait_until(lambda: apply_ops("vm-kill-after") == [("apply", "succeeded")], 10, "the operation to be recorded done")
    remove_instance(service, hetzner, "vm-kill-after", lambda: None)


def test_a_worker_process_killed_before_calling_hetzner_is_replaced_and_nothing_is_created_twice(
        service: Service, hetzner: Hetzner, workers: Workers, spawn_worker: Callable[..., WorkerProcess]) -> None:
    first = started_worker_process(service, spawn_worker, "vm-kill-before")
    first_id = first.id
    # its first Hetzner call, the create, hangs long enough to be seen in flight even on a loaded machine, and
    # then fails without effect: the worker dies before Hetzner did anything
    hetzner.fault("POST", r"^/servers$", status=503, latency=10.0)
    put_instance(service, "vm-kill-before")
    wait_until(lambda: hetzner.requests("POST /servers") >= 1, 30, f"the worker's first call\n{first.output()}")
    [op] = operations("instance", "vm-kill-before")
    assert (op["status"], op["worker_id"]) == ("doing", first_id)
    first.kill()
    assert hetzner.servers() == []

    replacement(workers)
    wait_until(lambda: state_of(service, f"{COMPUTE}/vm-kill-before") == "active", 20, "the instance to be active")
    active(service, "vm-kill-before")
    only_server(hetzner, "vm-kill-before")
    assert hetzner.requests("POST /servers") == 2  # the one without effect, and the replacement's
    # the worker records the instance active, then its operation finished: a moment apart, in another process
    wait_until(lambda: apply_ops("vm-kill-before") == [("apply", "succeeded")], 10, "the operation to be recorded done")
    remove_instance(service, hetzner, "vm-kill-before", lambda: None)
