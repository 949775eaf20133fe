"""Failures as the resource engine meets them: classified, raised once, never retried inside the gateway."""

from __future__ import annotations

import time

import pytest

from secapi_hetzner.hetzner import Gateway, HetznerNotFound, HetznerRejected, HetznerTransient
from secapi_hetzner.simulator import RunningSimulator
from tests.hetzner.conftest import SYSTEM_IMAGE, TOKEN, http_requests, make_server, wait

MISSING = 999_999


@pytest.mark.parametrize("call", [
    lambda gw: gw.get_action(MISSING), lambda gw: gw.get_server(MISSING), lambda gw: gw.get_volume(MISSING),
    lambda gw: gw.get_image(MISSING), lambda gw: gw.get_placement_group(MISSING),
    lambda gw: gw.update_server(MISSING, name="x"), lambda gw: gw.delete_server(MISSING),
    lambda gw: gw.power_on(MISSING), lambda gw: gw.change_type(MISSING, "cx33", upgrade_disk=False),
    lambda gw: gw.create_snapshot(MISSING, description="d", labels={}),
    lambda gw: gw.update_volume(MISSING, labels={}), lambda gw: gw.delete_volume(MISSING),
    lambda gw: gw.detach_volume(MISSING), lambda gw: gw.resize_volume(MISSING, 20),
    lambda gw: gw.delete_ssh_key(MISSING), lambda gw: gw.update_image(MISSING, labels={}),
    lambda gw: gw.delete_image(MISSING), lambda gw: gw.delete_placement_group(MISSING),
])
def test_a_missing_object_is_not_found(gateway: Gateway, call: object) -> None:
    with pytest.raises(HetznerNotFound) as caught:
        call(gateway)  # type: ignore[operator]
    assert caught.value.code == "not_found"
    assert caught.value.__cause__ is not None  # translated from hcloud's APIException, which never escapes


def test_action_polling_sees_running_then_success(gateway: Gateway, simulator: RunningSimulator) -> None:
    server = make_server(gateway)
    simulator.state.set_action_timing(0.3)
    action = gateway.power_on(server.id)
    seen = [gateway.get_action(action.id)]
    while seen[-1].running:
        time.sleep(0.05)  # the caller waits, never the gateway
        seen.append(gateway.get_action(action.id))
    assert seen[0].running and 0 <= seen[0].progress < 100
    assert seen[-1].succeeded and seen[-1].progress == 100 and len(seen) > 2


def test_a_failed_action_carries_its_code_and_message(gateway: Gateway, simulator: RunningSimulator) -> None:
    simulator.state.fail_next_action("create_server", code="server_create_failed", message="no capacity")
    server, action = gateway.create_server(name="doomed", server_type="cx23", image=SYSTEM_IMAGE,
                                           location="fsn1", labels={})
    done = wait(gateway, action)
    assert done.failed and not done.succeeded and not done.running
    assert (done.command, done.error_code, done.error_message) == ("create_server", "server_create_failed",
                                                                   "no capacity")


def test_a_failed_volume_action(gateway: Gateway, simulator: RunningSimulator) -> None:
    volume, created = gateway.create_volume(name="v", size=10, location="fsn1", labels={})
    wait(gateway, created)
    simulator.state.fail_next_action("resize_volume")
    done = wait(gateway, gateway.resize_volume(volume.id, 40))
    assert done.failed and done.error_code == "action_failed"
    assert gateway.get_volume(volume.id).size == 10  # undone


@pytest.mark.parametrize(("status", "code"), [
    (503, "unavailable"), (500, "server_error"), (504, "timeout"), (429, "rate_limit_exceeded"),
    (409, "conflict"), (502, "bad_gateway"),
])
def test_transient_answers_raise_once_without_retry(gateway: Gateway, simulator: RunningSimulator,
                                                    status: int, code: str) -> None:
    # hcloud would retry conflict, timeout, rate_limit_exceeded and 502/504 up to five times, sleeping
    simulator.state.inject_fault("^/servers$", method="GET", status=status, code=code, times=None)
    with pytest.raises(HetznerTransient) as caught:
        gateway.find_servers("a=b")
    assert caught.value.code == code
    assert http_requests(simulator) == 1 and gateway.counter.snapshot() == {"servers.get_list": 1}


def test_a_plain_text_gateway_error_is_transient(gateway: Gateway, simulator: RunningSimulator) -> None:
    simulator.state.inject_fault("^/volumes/", method="GET", status=502, plain=True)
    with pytest.raises(HetznerTransient) as caught:
        gateway.get_volume(1)
    assert caught.value.code == "502" and http_requests(simulator) == 1


def test_a_locked_server_is_transient(gateway: Gateway, simulator: RunningSimulator) -> None:
    server = make_server(gateway)
    simulator.state.set_action_timing(manual=True)
    running = gateway.power_on(server.id)
    assert gateway.get_server(server.id).locked
    with pytest.raises(HetznerTransient) as caught:
        gateway.power_off(server.id)
    assert caught.value.code == "locked"
    simulator.state.complete_action(running.id)
    simulator.state.set_action_timing(0)
    assert wait(gateway, gateway.power_off(server.id)).succeeded


@pytest.mark.parametrize(("overrides", "code"), [
    ({"server_type": "no-such-type"}, "invalid_input"),
    ({"image": "no-such-image"}, "invalid_input"),
    ({"location": "atlantis"}, "invalid_input"),
    ({"name": "not a hostname"}, "invalid_input"),
    ({"labels": {"hetzner.cloud/reserved": "x"}}, "invalid_input"),
])
def test_invalid_input_is_rejected(gateway: Gateway, overrides: dict[str, object], code: str) -> None:
    request: dict[str, object] = dict(name="ok", server_type="cx23", image=SYSTEM_IMAGE, location="fsn1", labels={})
    with pytest.raises(HetznerRejected) as caught:
        gateway.create_server(**{**request, **overrides})  # type: ignore[arg-type]
    assert caught.value.code == code and caught.value.message


def test_a_duplicate_server_name_is_rejected(gateway: Gateway) -> None:
    make_server(gateway, "twin")
    with pytest.raises(HetznerRejected) as caught:
        make_server(gateway, "twin")
    assert caught.value.code == "uniqueness_error"


def test_a_protected_rejection_is_not_transient(gateway: Gateway, simulator: RunningSimulator) -> None:
    simulator.state.inject_fault("^/servers/", method="DELETE", code="protected")
    with pytest.raises(HetznerRejected) as caught:
        gateway.delete_server(1)
    assert caught.value.code == "protected"


def test_create_that_raised_may_have_created_adopt_by_label(gateway: Gateway, simulator: RunningSimulator) -> None:
    simulator.state.inject_fault("^/servers$", method="POST", status=503, after_effect=True)
    labels = {"secapi.cloud/id": "3f1c"}
    with pytest.raises(HetznerTransient):
        gateway.create_server(name="web-1", server_type="cx23", image=SYSTEM_IMAGE, location="fsn1", labels=labels)
    assert [s["name"] for s in simulator.state.dump(TOKEN)["projects"][TOKEN]["servers"]] == ["web-1"]
    assert http_requests(simulator) == 1  # sent once: neither hcloud nor the gateway retried the POST
    adopted = gateway.find_servers("secapi.cloud/id=3f1c")
    assert [s.name for s in adopted] == ["web-1"] and dict(adopted[0].labels) == labels
    with pytest.raises(HetznerRejected):  # creating again instead of adopting would collide
        gateway.create_server(name="web-1", server_type="cx23", image=SYSTEM_IMAGE, location="fsn1", labels=labels)


def test_a_slow_answer_is_a_transient_timeout(simulator: RunningSimulator) -> None:
    gateway = Gateway(TOKEN, endpoint=simulator.url, timeout=0.2, requests_per_hour=100)
    simulator.state.inject_fault("^/servers/", method="GET", latency=0.6)
    with pytest.raises(HetznerTransient) as caught:
        gateway.get_server(1)
    assert caught.value.code == "timeout"
    assert gateway.counter.total == 1 and http_requests(simulator) == 1


def test_an_unreachable_hetzner_is_transient() -> None:
    gateway = Gateway(TOKEN, endpoint="http://127.0.0.1:1/v1", timeout=1, requests_per_hour=100)
    with pytest.raises(HetznerTransient) as caught:
        gateway.get_volume(1)
    assert caught.value.code == "unreachable"


def test_an_exhausted_budget_refuses_before_calling(simulator: RunningSimulator) -> None:
    gateway = Gateway(TOKEN, endpoint=simulator.url, timeout=5, requests_per_hour=2)
    assert gateway.find_volumes("") == [] and gateway.find_ssh_keys("") == []
    with pytest.raises(HetznerTransient) as caught:
        gateway.get_action(1)
    assert caught.value.code == "rate_limit_exceeded"
    assert gateway.counter.total == 2 and http_requests(simulator) == 2
