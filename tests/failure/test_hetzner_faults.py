"""Hetzner misbehaving on every mutating step of the instance and block-storage lifecycles.

Requests go over HTTP to the service; a worker built like the service's own executes them through
the real hcloud client against the simulator, which injects the faults. Every test ends by checking
what the Hetzner project holds: exactly the objects that should exist, no duplicate, no orphan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import hetzner_pace
from tests.failure.conftest import (
    COMPUTE,
    STORAGE,
    TRANSIENT,
    Hetzner,
    Run,
    Workers,
    assert_failed,
    instance_body,
    operations,
    read,
    resource_id,
    sql,
    ssh_key,
    states,
    storage_body,
    wait_until,
)

GET, POST, DELETE = "GET", "POST", "DELETE"
CREATE_SERVER = (POST, r"^/servers$")
CREATE_VOLUME = (POST, r"^/volumes$")
CREATE_SSH_KEY = (POST, r"^/ssh_keys$")
CREATE_GROUP = (POST, r"^/placement_groups$")
ATTACH = (POST, r"^/volumes/\d+/actions/attach$")
DETACH = (POST, r"^/volumes/\d+/actions/detach$")
RESIZE = (POST, r"^/volumes/\d+/actions/resize$")
POWER_ON = (POST, r"^/servers/\d+/actions/poweron$")
POWER_OFF = (POST, r"^/servers/\d+/actions/poweroff$")
SHUTDOWN = (POST, r"^/servers/\d+/actions/shutdown$")
REBOOT = (POST, r"^/servers/\d+/actions/reboot$")
CHANGE_TYPE = (POST, r"^/servers/\d+/actions/change_type$")
DELETE_SERVER = (DELETE, r"^/servers/\d+$")
DELETE_VOLUME = (DELETE, r"^/volumes/\d+$")
DELETE_SSH_KEY = (DELETE, r"^/ssh_keys/\d+$")
DELETE_GROUP = (DELETE, r"^/placement_groups/\d+$")



def one(items: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(items) == 1, items
    return items[0]


# -- transient faults on every step of a full lifecycle -------------------------------------------------


@pytest.mark.parametrize("fault", list(TRANSIENT))
def test_every_lifecycle_step_survives_a_transient_hetzner_fault(run: Run, hetzner: Hetzner, fault: str) -> None:
    settings = TRANSIENT[fault]
    run.late = "latency" in settings and "status" not in settings and not settings.get("after_effect")
    vm, boot, data = f"vm-{fault}", f"boot-{fault}", f"data-{fault}"
    key = ssh_key(fault)
    body = instance_body(boot, data=(data,), sshKeys=[key], antiAffinityGroup=f"group-{fault}")

    def arm(*targets: tuple[str, str]) -> None:
        # A power-off carried out late would switch off a server the service has powered on since (the
        # type change powers off, changes, powers on); no client can tell that apart from a lost request.
        run.arm([t for t in targets if not (run.late and t == POWER_OFF)], **settings)

    run.put(f"{STORAGE}/{boot}", storage_body(20))
    run.put(f"{STORAGE}/{data}", storage_body(10, volume=True))
    run.converge()

    # create: SSH key, placement group, data volume, server (which attaches the volume as it is created)
    arm(CREATE_SSH_KEY, CREATE_GROUP, CREATE_SERVER, CREATE_VOLUME)
    run.put(f"{COMPUTE}/{vm}", body, 201)
    run.converge()
    history = ["active", "creating", "pending"]
    got = read(run.service, f"{COMPUTE}/{vm}")
    assert states(got) == history and got["status"]["powerState"] == "off"
    server = one(hetzner.owned("servers", "instance", vm))
    assert (server["status"], server["server_type"]["name"], server["location"]["name"]) == ("off", "cx23", "fsn1")
    volume = one(hetzner.volumes())
    assert volume["server"] == server["id"] and volume["size"] == 10
    assert len(hetzner.objects("ssh_keys")) == 1
    assert one(hetzner.objects("placement_groups"))["servers"] == [server["id"]]
    assert read(run.service, f"{STORAGE}/{data}")["status"]["attachedTo"] == {"resource": f"instances/{vm}"}

    # start, restart
    for action, target in (("start", POWER_ON), ("restart", REBOOT)):
        arm(target)
        run.post(f"{COMPUTE}/{vm}/{action}")
        run.converge()
        history[:0] = ["active", "updating"]
        got = read(run.service, f"{COMPUTE}/{vm}")
        assert states(got) == history, action
        assert got["status"]["powerState"] == "on"
        assert one(hetzner.servers())["status"] == "running"

    # change type while running: graceful shutdown (as stop does), change, power on again; a shutdown
    # carried out late would switch off the server powered on since, as a late power-off would
    arm(*([] if run.late else [SHUTDOWN]), CHANGE_TYPE, POWER_ON)
    run.put(f"{COMPUTE}/{vm}", instance_body(boot, sku="cx33", data=(data,), sshKeys=[key],
                                             antiAffinityGroup=f"group-{fault}"))
    run.converge()
    history[:0] = ["active", "updating"]
    got = read(run.service, f"{COMPUTE}/{vm}")
    assert states(got) == history and got["status"]["powerState"] == "on"
    server = one(hetzner.servers())
    assert (server["server_type"]["name"], server["status"]) == ("cx33", "running")

    # attach a second data volume to the running instance
    run.put(f"{STORAGE}/{data}-2", storage_body(10, volume=True))
    run.converge()
    arm(CREATE_VOLUME, ATTACH)
    run.put(f"{COMPUTE}/{vm}", instance_body(boot, sku="cx33", data=(data, f"{data}-2"), sshKeys=[key],
                                             antiAffinityGroup=f"group-{fault}"))
    run.converge()
    history[:0] = ["active", "updating"]
    assert states(read(run.service, f"{COMPUTE}/{vm}")) == history
    assert sorted(v["server"] for v in hetzner.volumes()) == [server["id"]] * 2
    run.put(f"{COMPUTE}/{vm}", instance_body(boot, sku="cx33", data=(data,), sshKeys=[key],
                                             antiAffinityGroup=f"group-{fault}"))
    run.converge()
    history[:0] = ["active", "updating"]
    run.delete(f"{STORAGE}/{data}-2")  # detached and deleted with it
    run.converge()
    assert len(hetzner.volumes()) == 1

    # grow the data volume
    arm(RESIZE)
    run.put(f"{STORAGE}/{data}", storage_body(20, volume=True))
    run.converge()
    disk = read(run.service, f"{STORAGE}/{data}")
    assert states(disk) == ["active", "updating", "active", "creating", "pending"]
    assert disk["status"]["sizeGB"] == 20 and one(hetzner.volumes())["size"] == 20

    # stop (ACPI shutdown)
    arm(SHUTDOWN)
    run.post(f"{COMPUTE}/{vm}/stop")
    run.converge()
    history[:0] = ["active", "updating"]
    got = read(run.service, f"{COMPUTE}/{vm}")
    assert states(got) == history and got["status"]["powerState"] == "off"
    assert one(hetzner.servers())["status"] == "off"

    # take the data volume off the instance, then delete it: detach, delete the volume
    run.put(f"{COMPUTE}/{vm}", instance_body(boot, sku="cx33", sshKeys=[key], antiAffinityGroup=f"group-{fault}"))
    run.converge()
    arm(DETACH, DELETE_VOLUME)
    run.delete(f"{STORAGE}/{data}")
    run.converge()
    run.gone(f"{STORAGE}/{data}")
    assert hetzner.volumes() == []

    # delete the instance: the server, then the SSH key and the placement group nothing uses any more
    arm(DELETE_SERVER, DELETE_SSH_KEY, DELETE_GROUP)
    run.delete(f"{COMPUTE}/{vm}")
    run.converge()
    run.gone(f"{COMPUTE}/{vm}")
    run.delete(f"{STORAGE}/{boot}")
    run.converge()
    run.gone(f"{STORAGE}/{boot}")
    assert hetzner.leftovers() == {}


def test_hetzner_rate_limit_running_dry_mid_create_slows_it_down_but_creates_once(
        run: Run, hetzner: Hetzner, workers: Workers) -> None:
    _disks(run, "rate-limited")
    run.converge()
    run.worker = workers.new(retry_base=0.1)  # backs off, as in production (retrying at once cannot win)
    run.worker.architecture_of("cx23")  # its catalog is read before the budget runs dry
    hetzner.state.set_rate_limit(1, refill_per_second=2.0)  # the project's real limiter, not an injected 429
    run.put(f"{COMPUTE}/vm-rate-limited", _vm_body("rate-limited"), 201)
    run.converge()
    assert states(read(run.service, f"{COMPUTE}/vm-rate-limited")) == ["active", "creating", "pending"]
    [op] = sql("SELECT failures FROM operations WHERE resource_id = %s", resource_id("instance", "vm-rate-limited"))
    assert op["failures"] >= 1  # it did run into the limit, and got through
    one(hetzner.owned("servers", "instance", "vm-rate-limited"))
    hetzner.state.set_rate_limit(3600)
    _delete_all(run, "rate-limited")
    assert hetzner.leftovers() == {}


def test_a_transient_fault_after_following_a_long_action_is_still_retried(run: Run, hetzner: Hetzner) -> None:
    _disks(run, "long-action")
    run.converge()
    hetzner.state.set_action_timing(manual=True)
    run.put(f"{COMPUTE}/vm-long-action", _vm_body("long-action"), 201)
    assert run.worker.run_once()  # the create action runs ...
    # ... for a long time: every poll is a claim (attempts), ~10 minutes at the default 0.5 s action poll
    sql("UPDATE operations SET attempts = 1200 WHERE resource_id = %s", resource_id("instance", "vm-long-action"))
    [create] = hetzner.actions("create_server", "running")
    hetzner.state.complete_action(create["id"])
    hetzner_pace(hetzner.state)
    run.arm([(GET, r"^/servers/\d+$")], status=503)  # then Hetzner has a hiccup
    run.converge()
    assert states(read(run.service, f"{COMPUTE}/vm-long-action")) == ["active", "creating", "pending"]
    one(hetzner.owned("servers", "instance", "vm-long-action"))
    _delete_all(run, "long-action")
    assert hetzner.leftovers() == {}


# -- permanent failures: the step fails, says why, and a corrected request recovers ----------------------


@dataclass(frozen=True)
class Step:
    """One mutating step: how to bring an instance to where it can run, run it, and correct it."""

    target: tuple[str, str]
    command: str  # the Hetzner action the step starts
    setup: Callable[[Run, str], None]
    act: Callable[[Run, str], str]  # returns the SECA path of the resource that fails
    correct: Callable[[Run, str], None]
    check: Callable[[Run, Hetzner, str], None]


def _disks(run: Run, name: str, data: bool = False) -> None:
    run.put(f"{STORAGE}/boot-{name}", storage_body(20))
    if data:
        run.put(f"{STORAGE}/data-{name}", storage_body(10, volume=True))


def _instance(run: Run, name: str, *, power: str = "off", data: bool = False, **body: Any) -> None:
    _disks(run, name, data)
    run.put(f"{COMPUTE}/vm-{name}", _vm_body(name, data=data, **body))
    run.converge()
    if power == "on":
        run.post(f"{COMPUTE}/vm-{name}/start")
        run.converge()


def _vm_body(name: str, *, data: bool = False, sku: str = "cx23", labels: dict[str, str] | None = None
             ) -> dict[str, Any]:
    return instance_body(f"boot-{name}", sku=sku, data=(f"data-{name}",) if data else (), labels=labels)


def _relabel(data: bool = False, sku: str = "cx23") -> Callable[[Run, str], None]:
    def correct(run: Run, name: str) -> None:
        run.put(f"{COMPUTE}/vm-{name}", _vm_body(name, data=data, sku=sku, labels={"suite": "failure", "retry": "1"}))

    return correct


def _server(hetzner: Hetzner, status: str, server_type: str = "cx23") -> dict[str, Any]:
    server = one(hetzner.servers())
    assert (server["status"], server["server_type"]["name"]) == (status, server_type)
    return server


def _check_off(run: Run, hetzner: Hetzner, name: str) -> None:
    assert read(run.service, f"{COMPUTE}/vm-{name}")["status"]["powerState"] == "off"
    _server(hetzner, "off")


def _check_on(run: Run, hetzner: Hetzner, name: str) -> None:
    assert read(run.service, f"{COMPUTE}/vm-{name}")["status"]["powerState"] == "on"
    _server(hetzner, "running")


def _check_attached(run: Run, hetzner: Hetzner, name: str) -> None:
    server = _server(hetzner, "off")
    assert one(hetzner.volumes())["server"] == server["id"]


def _check_type(run: Run, hetzner: Hetzner, name: str) -> None:
    _server(hetzner, "off", "cx43")


def _check_size(run: Run, hetzner: Hetzner, name: str) -> None:
    assert read(run.service, f"{STORAGE}/data-{name}")["status"]["sizeGB"] == 30
    assert one(hetzner.volumes())["size"] == 30


def _put_vm(run: Run, name: str, **body: Any) -> str:
    run.put(f"{COMPUTE}/vm-{name}", _vm_body(name, **body))
    return f"{COMPUTE}/vm-{name}"


def _instance_and_data_disk(run: Run, name: str) -> None:
    _instance(run, name)
    run.put(f"{STORAGE}/data-{name}", storage_body(10, volume=True))
    run.converge()


def _post(action: str) -> Callable[[Run, str], str]:
    def act(run: Run, name: str) -> str:
        run.post(f"{COMPUTE}/vm-{name}/{action}")
        return f"{COMPUTE}/vm-{name}"

    return act


def _grow(size: int) -> Callable[[Run, str], Any]:
    def act(run: Run, name: str) -> str:
        run.put(f"{STORAGE}/data-{name}", storage_body(size, volume=True))
        return f"{STORAGE}/data-{name}"

    return act


STEPS: dict[str, Step] = {
    "create-server": Step(CREATE_SERVER, "create_server", _disks, _put_vm, _relabel(), _check_off),
    "create-volume": Step(CREATE_VOLUME, "create_volume", lambda run, name: _disks(run, name, data=True),
                          lambda run, name: _put_vm(run, name, data=True), _relabel(data=True), _check_attached),
    # a new instance's data volumes are attached by the server create; an attach is for a running one
    "attach-volume": Step(ATTACH, "attach_volume", lambda run, name: _instance_and_data_disk(run, name),
                          lambda run, name: _put_vm(run, name, data=True), _relabel(data=True), _check_attached),
    # a failed power action is over (the intent falls back to the actual power state): the correction
    # is to ask for it again, not an unrelated PUT
    "start": Step(POWER_ON, "start_server", _instance, _post("start"),
                  lambda run, name: run.post(f"{COMPUTE}/vm-{name}/start"), _check_on),
    "stop": Step(SHUTDOWN, "shutdown_server", lambda run, name: _instance(run, name, power="on"), _post("stop"),
                 lambda run, name: run.post(f"{COMPUTE}/vm-{name}/stop"), _check_off),
    "restart": Step(REBOOT, "reboot_server", lambda run, name: _instance(run, name, power="on"),
                    _post("restart"), lambda run, name: run.post(f"{COMPUTE}/vm-{name}/restart"), _check_on),
    "change-type": Step(CHANGE_TYPE, "change_server_type", _instance,
                        lambda run, name: _put_vm(run, name, sku="cx33"), _relabel(sku="cx43"), _check_type),
    "resize-volume": Step(RESIZE, "resize_volume", lambda run, name: _instance(run, name, data=True), _grow(20),
                          _grow(30), _check_size),
}
HETZNER_SAYS = "the request cannot be fulfilled as given"
#: (step, how it fails); a failed create_volume action leaves no volume to recover with in the simulator
PERMANENT = [(step, how) for step in STEPS for how in ("rejected", "action-error")
             if not (step == "create-volume" and how == "action-error")]


@pytest.mark.parametrize(("step", "how"), PERMANENT)
def test_a_permanent_failure_is_reported_and_a_corrected_request_recovers(
        run: Run, hetzner: Hetzner, step: str, how: str) -> None:
    plan, name = STEPS[step], f"{step}-{how}"
    plan.setup(run, name)
    if how == "rejected":
        run.arm([plan.target], status=422, code="invalid_input", message=HETZNER_SAYS)
    else:
        hetzner.state.fail_next_action(plan.command, code="action_failed", message=HETZNER_SAYS)
    path = plan.act(run, name)
    run.converge()
    failed = read(run.service, path)
    condition = assert_failed(failed, HETZNER_SAYS)
    assert condition["reason"] == ("InvalidInput" if how == "rejected" else "ActionFailed")
    kind, resource = ("instance", f"vm-{name}") if path.startswith(COMPUTE) else ("block-storage", f"data-{name}")
    assert operations(kind, resource)[-1]["status"] == "failed"
    assert len(hetzner.servers()) <= 1  # nothing was created twice

    plan.correct(run, name)
    run.converge()
    recovered = read(run.service, path)
    assert recovered["status"]["state"] == "active", recovered["status"]
    assert states(recovered)[:3] == ["active", "updating", "error"]
    plan.check(run, hetzner, name)

    _delete_all(run, name)
    assert hetzner.leftovers() == {}


def _delete_all(run: Run, name: str) -> None:
    for path in (f"{COMPUTE}/vm-{name}", f"{STORAGE}/data-{name}", f"{STORAGE}/boot-{name}"):
        if run.service.get(path).status_code == 200:
            run.delete(path)
            run.converge()
            run.gone(path)


# -- failures while deleting: the delete keeps going until Hetzner lets it -------------------------------


DELETES = {
    "delete-server": (DELETE_SERVER, "delete_server"),
    "detach-volume": (DETACH, "detach_volume"),
    "delete-volume": (DELETE_VOLUME, None),  # synchronous at Hetzner: no action that could fail
}
REFUSED = [(step, how) for step, (_, command) in DELETES.items() for how in ("rejected", "action-error")
           if command is not None or how == "rejected"]


@pytest.mark.parametrize(("step", "how"), REFUSED)
def test_a_refused_delete_says_why_and_is_retried_until_it_succeeds(
        run: Run, hetzner: Hetzner, step: str, how: str) -> None:
    target, command = DELETES[step]
    name = f"{step}-{how}"
    _instance(run, name, data=True)
    if step != "delete-server":  # detach happens when a data volume that is still attached is deleted
        run.put(f"{COMPUTE}/vm-{name}", _vm_body(name))
        run.converge()
    path = f"{COMPUTE}/vm-{name}" if step == "delete-server" else f"{STORAGE}/data-{name}"
    if how == "rejected":
        run.arm([target], status=422, code="invalid_input", message=HETZNER_SAYS)
    else:
        assert command is not None
        hetzner.state.fail_next_action(command, code="action_failed", message=HETZNER_SAYS)
    run.delete(path)

    def refused_once() -> dict[str, Any] | None:  # step by step until Hetzner has refused once
        run.worker.run_once()
        body = read(run.service, path)
        return body if body["status"]["conditions"][0].get("reason") else None

    refused = wait_until(refused_once, 10, "Hetzner's refusal to show")
    assert refused["status"]["state"] == "deleting"
    condition = refused["status"]["conditions"][0]
    assert condition["state"] == "deleting" and HETZNER_SAYS in condition.get("message", ""), condition
    assert condition["reason"] == ("InvalidInput" if how == "rejected" else "ActionFailed")

    run.converge()
    run.gone(path)
    if step == "delete-server":
        assert hetzner.servers() == [] and len(hetzner.volumes()) == 1
    else:
        assert hetzner.volumes() == [] and len(hetzner.servers()) == 1
    _delete_all(run, name)
    assert hetzner.leftovers() == {}


@pytest.mark.parametrize(("action", "command", "power"), [("start", "start_server", "off"),
                                                          ("stop", "shutdown_server", "on")])
def test_a_power_action_can_be_repeated_after_hetzner_failed_it(
        run: Run, hetzner: Hetzner, action: str, command: str, power: str) -> None:
    name = f"{action}-again"
    _instance(run, name, power=power)
    hetzner.state.fail_next_action(command, code="action_failed", message=HETZNER_SAYS)
    run.post(f"{COMPUTE}/vm-{name}/{action}")
    run.converge()
    assert_failed(read(run.service, f"{COMPUTE}/vm-{name}"), HETZNER_SAYS)
    assert read(run.service, f"{COMPUTE}/vm-{name}")["status"]["powerState"] == power
    try:
        again = run.service.post(f"{COMPUTE}/vm-{name}/{action}")
        assert again.status_code == 202, again.text
        run.converge()
        (_check_on if action == "start" else _check_off)(run, hetzner, name)
    finally:
        _delete_all(run, name)
