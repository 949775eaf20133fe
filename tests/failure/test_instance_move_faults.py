"""A zone change interrupted at each of its Hetzner steps: the answer lost (Hetzner did it, the worker heard
an error), or the worker stuck inside the call and replaced by another (what a killed worker looks like to
the queue). Either way the move ends with exactly one server, in the new zone, with the power it had, and
no snapshot left behind."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from secapi_hetzner.runner import Worker
from tests.conftest import Service
from tests.failure.conftest import (
    COMPUTE,
    STORAGE,
    Hetzner,
    Run,
    Workers,
    accepted,
    instance_body,
    make_stale,
    read,
    states,
    storage_body,
    wait_until,
)

POST, DELETE = "POST", "DELETE"
#: every Hetzner call a move of a running instance makes, in order
MOVE_STEPS: dict[str, tuple[str, str]] = {
    "shutdown": (POST, r"^/servers/\d+/actions/shutdown$"),
    "snapshot": (POST, r"^/servers/\d+/actions/create_image$"),
    "create": (POST, r"^/servers$"),
    "delete-old-server": (DELETE, r"^/servers/\d+$"),
    "delete-snapshot": (DELETE, r"^/images/\d+$"),
    "power-on": (POST, r"^/servers/\d+/actions/poweron$"),
}
HANG = 1.0  # how long Hetzner holds the request a stuck worker is in


def snapshots(hetzner: Hetzner) -> list[dict[str, Any]]:
    return [i for i in hetzner.objects("images") if i.get("type") == "snapshot"]


def running_instance(service: Service, drain: Any, name: str) -> dict[str, Any]:
    accepted(service.put(f"{STORAGE}/boot-{name}", storage_body(20)), 201)
    accepted(service.put(f"{COMPUTE}/{name}", instance_body(f"boot-{name}")), 201)
    drain()
    accepted(service.post(f"{COMPUTE}/{name}/start"), 202)
    drain()
    body = read(service, f"{COMPUTE}/{name}")
    assert body["status"]["powerState"] == "on" and body["status"]["state"] == "active", body["status"]
    return body


def assert_moved(service: Service, hetzner: Hetzner, name: str, old_id: int) -> None:
    body = read(service, f"{COMPUTE}/{name}")
    assert states(body)[:2] == ["active", "updating"], body["status"]["conditions"][:2]
    assert body["status"]["powerState"] == "on"
    # a replaced worker that hears back late may still ask for a power-on the new one already made: let it end
    wait_until(lambda: [s["status"] for s in hetzner.servers()] == ["running"], 10, "the server to be running")
    [server] = hetzner.owned("servers", "instance", name)
    assert len(hetzner.servers()) == 1, hetzner.servers()
    assert (server["location"]["name"], server["status"]) == ("nbg1", "running") and server["id"] != old_id
    assert snapshots(hetzner) == []


def remove(service: Service, hetzner: Hetzner, name: str, drain: Any) -> None:
    for path in (f"{COMPUTE}/{name}", f"{STORAGE}/boot-{name}"):
        accepted(service.delete(path), 202)
        drain()
        assert service.get(path).status_code == 404
    assert hetzner.leftovers() == {} and snapshots(hetzner) == []


@pytest.mark.parametrize("step", list(MOVE_STEPS))
def test_a_move_whose_answer_is_lost_at_any_step_still_ends_with_one_server(
        run: Run, service: Service, hetzner: Hetzner, step: str) -> None:
    name = f"mv-lost-{step}"
    body = running_instance(service, run.converge, name)
    [old] = hetzner.owned("servers", "instance", name)
    run.arm([MOVE_STEPS[step]], status=500, after_effect=True)  # done by Hetzner, answered with an error
    body["spec"]["zone"] = "nbg1"
    run.put(f"{COMPUTE}/{name}", body, 200)
    run.converge()
    assert_moved(service, hetzner, name, old["id"])
    remove(service, hetzner, name, run.converge)


@pytest.mark.parametrize("step", list(MOVE_STEPS))
def test_a_worker_dying_at_any_step_of_a_move_is_replaced_without_a_second_server(
        service: Service, hetzner: Hetzner, workers: Workers, step: str) -> None:
    stuck, fresh = workers.new(hetzner_timeout=4 * HANG), workers.new()
    name = f"mv-kill-{step}"
    body = running_instance(service, lambda: fresh.drain(timeout=30), name)
    [old] = hetzner.owned("servers", "instance", name)
    method, path = MOVE_STEPS[step]
    fault = hetzner.fault(method, path, after_effect=True, latency=HANG)  # done at once, answered late

    def armed() -> bool:
        return any(f["id"] == fault for f in hetzner.armed())

    def until_stuck(worker: Worker) -> None:  # run the move until the worker is inside the faulted call
        while armed():
            if not worker.run_once():
                time.sleep(0.02)

    body["spec"]["zone"] = "nbg1"
    accepted(service.put(f"{COMPUTE}/{name}", body), 200)
    thread = threading.Thread(target=until_stuck, args=(stuck,), name="stuck-worker", daemon=True)
    thread.start()
    wait_until(lambda: not armed(), 90, f"the move to reach its {step} step")
    make_stale(stuck.id)  # it looks dead: its operation goes back to the queue
    fresh.drain(timeout=30)
    thread.join(timeout=8 * HANG)
    assert not thread.is_alive()
    hetzner.quiet()
    fresh.drain(timeout=30)  # whatever the stuck worker's late answer left due
    assert_moved(service, hetzner, name, old["id"])
    remove(service, hetzner, name, lambda: fresh.drain(timeout=30))
