"""Every wait ends: what Hetzner lost, refuses for a while, or never had ends in ``error`` with Hetzner's
reason, or in a bounded wait that the condition explains — never an operation retried for ever.

Each test reproduces a defect found against an independent Hetzner fake (issue 7) before its fix."""

from __future__ import annotations

import httpx

from secapi_hetzner.engine.outcome import MAX_FAILURES
from tests.conftest import hetzner_pace
from tests.failure.conftest import (
    COMPUTE,
    PROJECT,
    STORAGE,
    Hetzner,
    Run,
    assert_failed,
    operations,
    read,
    sql,
    wait_until,
)
from tests.failure.test_hetzner_faults import CREATE_SERVER, _delete_all, _instance, _vm_body


def _outside(hetzner: Hetzner, method: str, path: str) -> None:
    """What a Hetzner user does in the console: straight to the project's API, not through the service."""
    auth = {"Authorization": f"Bearer {PROJECT}"}
    response = httpx.request(method, f"{hetzner.simulator.url}{path}", headers=auth)
    assert response.status_code < 300, response.text
    action = (response.json() or {}).get("action") if response.content else None
    if action:  # and, like the console, waits for it to end

        def finished() -> bool:
            read = httpx.get(f"{hetzner.simulator.url}/actions/{action['id']}", headers=auth)
            return bool(read.json()["action"]["status"] != "running")

        wait_until(finished, what=f"Hetzner action {action['id']}")


def test_a_start_after_the_server_was_deleted_outside_ends_in_error(run: Run, hetzner: Hetzner) -> None:
    _instance(run, "gone-start")
    server = hetzner.owned("servers", "instance", "vm-gone-start")[0]
    _outside(hetzner, "DELETE", f"/servers/{server['id']}")
    run.post(f"{COMPUTE}/vm-gone-start/start")
    run.converge()  # ends: no operation left waiting
    body = read(run.service, f"{COMPUTE}/vm-gone-start")
    assert assert_failed(body, f"server {server['id']} was deleted outside")["reason"] == "DeletedOutsideService"
    assert [op["status"] for op in operations("instance", "vm-gone-start")][-1] == "failed"
    _delete_all(run, "gone-start")
    assert hetzner.leftovers() == {}


def test_an_update_after_the_volume_was_deleted_outside_ends_in_error(run: Run, hetzner: Hetzner) -> None:
    _instance(run, "gone-volume", data=True)
    volume = hetzner.volumes()[0]
    _outside(hetzner, "POST", f"/volumes/{volume['id']}/actions/detach")
    run.worker.drain()  # nothing queued; lets the simulator finish the detach action on a poll-free path
    _outside(hetzner, "DELETE", f"/volumes/{volume['id']}")
    run.put(f"{COMPUTE}/vm-gone-volume", _vm_body("gone-volume", data=True, labels={"changed": "yes"}))
    run.converge()
    body = read(run.service, f"{COMPUTE}/vm-gone-volume")
    assert assert_failed(body, f"volume {volume['id']}")["reason"] == "VolumeMissing"
    _delete_all(run, "gone-volume")
    assert hetzner.leftovers() == {}


def test_a_sold_out_type_says_so_while_it_waits_and_then_ends(run: Run, hetzner: Hetzner) -> None:
    path = f"{COMPUTE}/vm-sold-out"
    run.put(f"{STORAGE}/boot-sold-out", {"spec": {"sizeGB": 20, "skuRef": {"resource": "skus/local-nvme"}}})
    run.worker.drain()
    hetzner.fault(*CREATE_SERVER, status=412, code="resource_unavailable", message="cx23 is sold out in fsn1",
                  times=None)
    run.put(path, _vm_body("sold-out"), 201)
    assert run.worker.run_once() and run.worker.run_once()
    waiting = read(run.service, path)
    condition = waiting["status"]["conditions"][0]
    assert waiting["status"]["state"] == "creating"
    assert condition["reason"] == "ResourceUnavailable"
    assert "sold out" in condition["message"] and f"failure 2 of {MAX_FAILURES}" in condition["message"]
    run.worker.drain()  # ends by itself: the retries are bounded
    failed = assert_failed(read(run.service, path), "cx23 is sold out")
    assert failed["reason"] == "ResourceUnavailable" and f"after {MAX_FAILURES} failures" in failed["message"]
    assert hetzner.requests("POST /servers") == MAX_FAILURES
    hetzner.state.clear_faults()
    _delete_all(run, "sold-out")
    assert hetzner.leftovers() == {}


def test_a_429_without_a_json_body_is_retried_not_fatal(run: Run, hetzner: Hetzner) -> None:
    run.arm([CREATE_SERVER], status=429, plain=True)
    _instance(run, "plain-429")
    assert read(run.service, f"{COMPUTE}/vm-plain-429")["status"]["state"] == "active"
    assert len(hetzner.owned("servers", "instance", "vm-plain-429")) == 1
    _delete_all(run, "plain-429")


def test_user_data_hetzner_would_refuse_is_refused_at_admission(run: Run) -> None:
    run.put(f"{STORAGE}/boot-big-data", {"spec": {"sizeGB": 20, "skuRef": {"resource": "skus/local-nvme"}}})
    body = _vm_body("big-data")
    body["spec"]["userData"] = "#cloud-config\n" + "a" * (40 * 1024)  # valid SECA (≤ 64 KiB), over Hetzner's 32
    refused = run.service.put(f"{COMPUTE}/vm-big-data", body)
    assert refused.status_code == 412, refused.text
    assert "32 KiB" in refused.json()["detail"] and refused.json()["sources"][0]["pointer"] == "/spec/userData"
    body["spec"]["userData"] = "#cloud-config\n" + "a" * (31 * 1024)
    assert run.service.put(f"{COMPUTE}/vm-big-data", body).status_code == 201
    run.converge()
    _delete_all(run, "big-data")


def test_one_action_read_serves_every_operation_waiting_on_one(run: Run, hetzner: Hetzner) -> None:
    """Five creates in flight at once: their actions are read together (GET /actions?id=…), not one
    by one, and the reads that find them finished wake the other operations."""
    names = [f"batch-{i}" for i in range(5)]
    for name in names:
        run.put(f"{STORAGE}/boot-{name}", {"spec": {"sizeGB": 20, "skuRef": {"resource": "skus/local-nvme"}}})
    run.converge()
    hetzner.state.set_action_timing(manual=True)  # the creates run until the test ends them
    try:
        for name in names:
            run.put(f"{COMPUTE}/vm-{name}", _vm_body(name), 201)
        # every create is sent; each operation waits on its action (and may look at it meanwhile)
        wait_until(lambda: len(hetzner.actions("create_server", "running")) == len(names) or run.worker.run_once()
                   and False, 10, "the five creates to be sent")
        hetzner.state.reset_request_counts()  # count the reads from here on
        for action in hetzner.actions("create_server", "running"):
            hetzner.state.complete_action(action["id"])
        sql("UPDATE operations SET run_after = now() WHERE status = 'todo'")  # all due again, in any order
        run.converge()
    finally:
        hetzner_pace(hetzner.state)
    assert all(read(run.service, f"{COMPUTE}/vm-{name}")["status"]["state"] == "active" for name in names)
    assert hetzner.requests("GET /actions/{id}") == 0
    assert hetzner.requests("GET /actions") == 1  # the first operation read all five and woke the others
    for name in names:
        _delete_all(run, name)
    assert hetzner.leftovers() == {}


def test_a_create_whose_action_hetzner_lost_carries_on_from_what_hetzner_shows(run: Run, hetzner: Hetzner) -> None:
    """The simulator of `make run` restarted without its state (or Hetzner lost the action): the create's
    action answers 404. The operation does not retry 'action not found' for minutes: it forgets the
    action and carries on from the objects themselves, here by creating the server again, once."""
    run.put(f"{STORAGE}/boot-lost-action", {"spec": {"sizeGB": 20, "skuRef": {"resource": "skus/local-nvme"}}})
    run.converge()
    hetzner.state.set_action_timing(manual=True)  # the create runs until the simulator forgets it
    try:
        run.put(f"{COMPUTE}/vm-lost-action", _vm_body("lost-action"), 201)
        wait_until(lambda: hetzner.actions("create_server", "running") or run.worker.run_once() and False, 10,
                   "the create to be sent")
        with hetzner.state.lock:  # what a restart without state leaves: no action, no server
            hetzner.state.projects.clear()
    finally:
        hetzner_pace(hetzner.state)
    sql("UPDATE operations SET run_after = now() WHERE status = 'todo'")
    run.converge()
    got = read(run.service, f"{COMPUTE}/vm-lost-action")
    assert got["status"]["state"] == "active", got["status"]
    assert len(hetzner.servers()) == 1
    [op] = [o for o in operations("instance", "vm-lost-action") if o["reason"] == "apply"][-1:]
    assert op["status"] == "succeeded"
    _delete_all(run, "lost-action")
    assert hetzner.leftovers() == {}
