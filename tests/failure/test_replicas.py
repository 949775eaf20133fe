"""Replicas racing: several workers (threads and processes) on one PostgreSQL, and requests that race
the work in progress (DELETE during create, DELETE while deleting, PUT while deleting, the same
request made again while its operation runs, a second type change while the first runs).

A :class:`Watch` wraps each worker's reconcilers (our own code, not hcloud) and records any moment
at which two workers were inside a step of the same resource: that must never happen.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from uuid import UUID

from secapi_hetzner.engine import Outcome
from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.resources.kinds import Kind, Reconciler
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
    storage_body,
    wait_until,
)


@dataclass
class Watch:
    """Who is inside which resource's step right now; every clash and every step, per worker."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    busy: dict[UUID, str] = field(default_factory=dict)
    clashes: list[str] = field(default_factory=list)
    steps: Counter[str] = field(default_factory=Counter)

    @contextmanager
    def inside(self, ctx: StepContext, worker_id: str) -> Iterator[None]:
        resource = ctx.resource.id
        with self.lock:
            self.steps[worker_id] += 1
            other = self.busy.setdefault(resource, worker_id)
            if other != worker_id:
                self.clashes.append(f"{ctx.resource.key.name}: {other} and {worker_id} at once")
        try:
            yield
        finally:
            with self.lock:
                if self.busy.get(resource) == worker_id:
                    del self.busy[resource]

    def track(self, worker: Worker) -> Worker:
        original = worker.kinds

        def kinds(name: str) -> Kind:
            kind = original(name)
            if kind.reconciler is None:
                return kind
            tracked = copy.copy(kind)
            tracked.reconciler = Tracked(kind.reconciler, self, worker.id)
            return tracked

        worker.kinds = kinds
        return worker


@dataclass(frozen=True)
class Tracked:
    inner: Reconciler
    watch: Watch
    worker_id: str

    def apply(self, ctx: StepContext) -> Outcome:
        with self.watch.inside(ctx, self.worker_id):
            return self.inner.apply(ctx)

    def delete(self, ctx: StepContext) -> Outcome:
        with self.watch.inside(ctx, self.worker_id):
            return self.inner.delete(ctx)

    def act(self, ctx: StepContext, action: str) -> Outcome:
        with self.watch.inside(ctx, self.worker_id):
            return self.inner.act(ctx, action)


def state_of(service: Service, path: str) -> str | None:
    response = service.get(path)
    return str(response.json()["status"]["state"]) if response.status_code == 200 else None


def never_two_doing() -> bool:
    """The queue's own invariant, checked while the workers run."""
    doubled = sql("SELECT resource_id FROM operations WHERE status = 'doing' GROUP BY resource_id HAVING count(*) > 1")
    assert doubled == [], doubled
    return True


def all_in(service: Service, paths: list[str], state: str | None, field: str = "state") -> bool:
    never_two_doing()
    if state is None:
        return all(service.get(path).status_code == 404 for path in paths)
    return all(service.get(path).json()["status"].get(field) == state for path in paths)


def put_disks(service: Service, names: list[str]) -> list[str]:
    for name in names:
        accepted(service.put(f"{STORAGE}/boot-{name}", storage_body(20)), 201)
    return [f"{STORAGE}/boot-{name}" for name in names]


def put_instances(service: Service, names: list[str]) -> list[str]:
    for name in names:
        accepted(service.put(f"{COMPUTE}/{name}", instance_body(f"boot-{name}")), 201)
    return [f"{COMPUTE}/{name}" for name in names]


def delete_all(service: Service, paths: list[str], worker: Worker | None = None) -> None:
    """Delete, let ``worker`` (or the running workers) do it, and wait until everything is gone."""
    for path in paths:
        accepted(service.delete(path), 202)
    if worker is not None:
        worker.drain(timeout=20)
    wait_until(lambda: all_in(service, paths, None), 30, "everything to be deleted")


def ran_once_each(name: str, reasons: list[str]) -> None:
    """Each accepted request became exactly one operation, which succeeded."""
    assert [(o["reason"], o["status"]) for o in operations("instance", name)] == [(r, "succeeded") for r in reasons]


# -- two in-process workers ----------------------------------------------------------------------------


def test_two_workers_racing_over_many_instances_run_every_operation_once(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    watch = Watch()
    names = [f"vm-race-{i}" for i in range(6)]
    disks = put_disks(service, names)
    vms = put_instances(service, names)
    first, second = (workers.start(watch.track(workers.new())) for _ in range(2))
    wait_until(lambda: all_in(service, vms, "active"), 30, "every instance to be active")
    for vm in vms:
        accepted(service.post(f"{vm}/start"), 202)
    wait_until(lambda: all_in(service, vms, "on", "powerState") and all_in(service, vms, "active"), 30,
               "every instance to run")
    assert sorted(s["status"] for s in hetzner.servers()) == ["running"] * 6
    for name in names:
        assert len(hetzner.owned("servers", "instance", name)) == 1
    delete_all(service, vms)
    delete_all(service, disks)

    assert watch.clashes == []
    assert watch.steps[first.id] > 0 and watch.steps[second.id] > 0, watch.steps  # both really raced
    for name in names:
        ran_once_each(name, ["apply", "start", "delete"])
    assert hetzner.requests("POST /servers") == 6
    assert Counter(a["command"] for a in hetzner.actions()) == {
        "create_server": 6, "start_server": 6, "delete_server": 6}
    assert hetzner.leftovers() == {}


def test_workers_racing_over_one_instance_never_work_on_it_at_once(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    watch = Watch()
    [disk] = put_disks(service, ["vm-busy"])
    [vm] = put_instances(service, ["vm-busy"])
    for _ in range(3):
        workers.start(watch.track(workers.new()))
    for round_ in range(4):  # a burst of changes while the first ones are still being worked on
        body = instance_body("boot-vm-busy", labels={"suite": "failure", "round": str(round_)})
        accepted(service.put(vm, body), 200, 201)
        accepted(service.post(f"{vm}/start"), 202)
        accepted(service.post(f"{vm}/stop"), 202)
    accepted(service.post(f"{vm}/start"), 202)
    accepted(service.post(f"{vm}/restart"), 202)

    def settled() -> bool:
        never_two_doing()
        pending = [o for o in operations("instance", "vm-busy") if o["status"] in ("todo", "doing")]
        return not pending and state_of(service, vm) == "active"

    wait_until(settled, 30, "the instance to settle")
    got = read(service, vm)
    assert got["status"]["powerState"] == "on" and got["labels"]["round"] == "3"
    assert [s["status"] for s in hetzner.owned("servers", "instance", "vm-busy")] == ["running"]
    # each accepted request ran, or was folded into the same request made again while it ran
    ops = operations("instance", "vm-busy")
    assert all(o["status"] == "succeeded" or o["last_error"].startswith("superseded") for o in ops), ops
    assert watch.clashes == []
    delete_all(service, [vm, disk])
    assert hetzner.leftovers() == {}


def test_a_worker_wrongly_declared_dead_rejoins_and_keeps_working(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    worker = workers.start(workers.new(worker_stale_after=1.0))
    [disk] = put_disks(service, ["vm-rejoin"])
    wait_until(lambda: state_of(service, disk) == "active", 10, "the worker to work")
    # another replica saw no heartbeat for stale_after (a long pause, a network partition) and forgot it
    sql("DELETE FROM workers WHERE id = %s", worker.id)
    [vm] = put_instances(service, ["vm-rejoin"])
    wait_until(lambda: state_of(service, vm) == "active", 10, "the instance to be created by the same worker")
    assert sql("SELECT id FROM workers WHERE id = %s", worker.id) != []
    delete_all(service, [vm, disk])
    assert hetzner.leftovers() == {}


def test_a_worker_busy_in_a_slow_hetzner_call_is_not_declared_dead(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    watch = Watch()
    for _ in range(2):
        workers.start(watch.track(workers.new(worker_stale_after=1.0, hetzner_timeout=10.0)))
    [disk] = put_disks(service, ["vm-slow"])
    wait_until(lambda: state_of(service, disk) == "active", 10, "the disk to be active")
    hetzner.fault("POST", r"^/servers$", latency=2.5)  # Hetzner is slow, but answers well within the timeout
    [vm] = put_instances(service, ["vm-slow"])
    try:
        wait_until(lambda: state_of(service, vm) in ("active", "error") and not [
            o for o in operations("instance", "vm-slow") if o["status"] in ("todo", "doing")], 20, "the outcome")
        hetzner.quiet()
        assert watch.clashes == []
        assert state_of(service, vm) == "active"
        assert len(hetzner.owned("servers", "instance", "vm-slow")) == 1
    finally:
        delete_all(service, [vm, disk])


# -- two worker processes ------------------------------------------------------------------------------


def test_two_worker_processes_share_the_queue_and_create_each_server_once(
        service: Service, hetzner: Hetzner, spawn_worker: Callable[..., WorkerProcess]) -> None:
    processes = [spawn_worker(), spawn_worker()]
    names = [f"vm-proc-{i}" for i in range(4)]
    disks = put_disks(service, names)
    vms = put_instances(service, names)
    wait_until(lambda: all_in(service, vms, "active"), 40,
               "every instance to be active\n" + "\n".join(p.output() for p in processes))
    assert all(p.process.poll() is None for p in processes)
    assert hetzner.requests("POST /servers") == 4
    for name in names:
        assert len(hetzner.owned("servers", "instance", name)) == 1
        ran_once_each(name, ["apply"])
    delete_all(service, vms)
    delete_all(service, disks)
    assert hetzner.leftovers() == {}


# -- requests racing the workers -----------------------------------------------------------------------


def create_vm(service: Service, worker: Worker, name: str) -> str:
    put_disks(service, [name])
    worker.drain(timeout=20)
    [vm] = put_instances(service, [name])
    return vm


def refused_while_deleting(service: Service, vm: str, name: str) -> None:
    """While an instance is deleting: DELETE is accepted again, PUT and actions are 409, nothing is queued."""
    before = len(operations("instance", name))
    for _ in range(2):
        accepted(service.delete(vm), 202)
        assert state_of(service, vm) == "deleting"
    put = service.put(vm, instance_body(f"boot-{name}", labels={"changed": "yes"}))
    assert put.status_code == 409, put.text
    assert service.post(f"{vm}/stop").status_code == 409
    assert len(operations("instance", name)) == before
    assert state_of(service, vm) == "deleting"


def test_delete_while_the_create_action_runs_waits_for_hetzner_then_deletes_once(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    worker = workers.new()
    hetzner.state.set_action_timing(manual=True)
    vm = create_vm(service, worker, "vm-early-delete")
    assert worker.run_once()  # the server is being created
    server = hetzner.owned("servers", "instance", "vm-early-delete")[0]
    [create] = hetzner.actions("create_server", "running", server=server["id"])

    accepted(service.delete(vm), 202)
    refused_while_deleting(service, vm, "vm-early-delete")
    assert [(o["reason"], o["status"]) for o in operations("instance", "vm-early-delete")] == [
        ("apply", "cancelled"), ("delete", "todo")]
    assert wait_until(worker.run_once, 5, "the delete to run")  # Hetzner: the server is locked by its create
    assert state_of(service, vm) == "deleting"
    assert [s["id"] for s in hetzner.servers()] == [server["id"]]

    hetzner.state.complete_action(create["id"])
    hetzner_pace(hetzner.state)
    worker.drain(timeout=20)
    assert state_of(service, vm) is None
    assert [(o["reason"], o["status"]) for o in operations("instance", "vm-early-delete")] == [
        ("apply", "cancelled"), ("delete", "succeeded")]
    assert len(hetzner.actions("delete_server")) == 1
    accepted(service.delete(f"{STORAGE}/boot-vm-early-delete"), 202)
    worker.drain(timeout=20)
    assert hetzner.leftovers() == {}


def test_delete_while_the_create_call_is_in_flight_ends_with_nothing(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    worker = workers.new()
    vm = create_vm(service, worker, "vm-in-flight")
    hetzner.fault("POST", r"^/servers$", latency=0.5)  # Hetzner takes its time to create the server
    thread = threading.Thread(target=worker.run_once, name="creating-worker", daemon=True)
    thread.start()
    wait_until(lambda: hetzner.requests("POST /servers") == 1, what="the create call")
    accepted(service.delete(vm), 202)
    refused_while_deleting(service, vm, "vm-in-flight")
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert state_of(service, vm) == "deleting"  # the create finishing does not bring it back
    worker.drain(timeout=20)
    assert state_of(service, vm) is None
    assert [o["reason"] for o in operations("instance", "vm-in-flight")] == ["apply", "delete"]
    accepted(service.delete(f"{STORAGE}/boot-vm-in-flight"), 202)
    worker.drain(timeout=20)
    assert hetzner.leftovers() == {}


def test_repeated_delete_while_deleting_is_accepted_and_deletes_once(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    worker = workers.new()
    vm = create_vm(service, worker, "vm-twice")
    worker.drain(timeout=20)
    assert state_of(service, vm) == "active"
    hetzner.state.set_action_timing(manual=True)
    accepted(service.delete(vm), 202)
    assert worker.run_once()  # Hetzner is deleting the server
    [deleting] = hetzner.actions("delete_server", "running")
    refused_while_deleting(service, vm, "vm-twice")

    hetzner.state.complete_action(deleting["id"])
    hetzner_pace(hetzner.state)
    worker.drain(timeout=20)
    assert state_of(service, vm) is None
    ran_once_each("vm-twice", ["apply", "delete"])
    assert len(hetzner.actions("delete_server")) == 1
    accepted(service.delete(f"{STORAGE}/boot-vm-twice"), 202)
    worker.drain(timeout=20)
    assert hetzner.leftovers() == {}


def run_in_thread(worker: Worker) -> tuple[threading.Thread, list[BaseException]]:
    """One ``run_once`` in a thread; what it raises is kept for the test to assert on."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            worker.run_once()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            raised.append(exc)

    thread = threading.Thread(target=run, name="racing-worker", daemon=True)
    thread.start()
    return thread, raised


def test_the_same_request_arriving_while_its_operation_runs_is_not_lost(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    worker = workers.new()
    vm = create_vm(service, worker, "vm-again")
    hetzner.fault("POST", r"^/servers$", latency=0.5)  # the first apply is inside its create call ...
    thread, raised = run_in_thread(worker)
    wait_until(lambda: hetzner.requests("POST /servers") == 1, what="the create call")
    changed = instance_body("boot-vm-again", labels={"suite": "failure", "again": "yes"})
    accepted(service.put(vm, changed), 200)  # ... when the client changes the instance
    thread.join(timeout=10)
    assert raised == []
    worker.drain(timeout=10)
    got = read(service, vm)
    assert got["status"]["state"] == "active" and got["labels"]["again"] == "yes"
    assert len(hetzner.owned("servers", "instance", "vm-again")) == 1
    assert hetzner.requests("POST /servers") == 1
    assert not [o for o in operations("instance", "vm-again") if o["status"] in ("todo", "doing")]
    delete_all(service, [vm, f"{STORAGE}/boot-vm-again"], worker)
    assert hetzner.leftovers() == {}


def test_a_dead_workers_operation_is_released_even_when_the_request_came_again(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    worker = workers.new()
    vm = create_vm(service, worker, "vm-dead-again")
    dead, _ = claim_as_dead_worker("instance", "vm-dead-again")
    accepted(service.put(vm, instance_body("boot-vm-dead-again", labels={"again": "yes"})), 200)
    make_stale(dead)
    try:
        worker.drain(timeout=10)
        got = read(service, vm)
        assert got["status"]["state"] == "active" and got["labels"] == {"again": "yes"}
        assert len(hetzner.owned("servers", "instance", "vm-dead-again")) == 1
    finally:
        sql("UPDATE operations SET status = 'cancelled' WHERE worker_id = %s", dead)
        delete_all(service, [vm, f"{STORAGE}/boot-vm-dead-again"], worker)


def test_a_second_type_change_while_the_first_runs_ends_with_the_last_type(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    worker = workers.new()
    vm = create_vm(service, worker, "vm-retype")
    worker.drain(timeout=20)
    hetzner.state.set_action_timing(manual=True)
    accepted(service.put(vm, instance_body("boot-vm-retype", sku="cx33")), 200)
    assert wait_until(worker.run_once, 5, "the type change to start")
    [change] = hetzner.actions("change_server_type", "running")
    accepted(service.put(vm, instance_body("boot-vm-retype", sku="cx43")), 200)  # changed again meanwhile
    hetzner.state.complete_action(change["id"])
    hetzner_pace(hetzner.state)
    worker.drain(timeout=10)
    got = read(service, vm)
    assert got["status"]["state"] == "active"
    [server] = hetzner.owned("servers", "instance", "vm-retype")
    assert server["server_type"]["name"] == "cx43"
    delete_all(service, [vm, f"{STORAGE}/boot-vm-retype"], worker)
    assert hetzner.leftovers() == {}
