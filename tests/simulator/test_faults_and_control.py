"""Test control: fault injection, action timing, state dumps and request counters (Python and /_sim)."""

from __future__ import annotations

import time

import hcloud
import httpx
import pytest
import requests
from hcloud.actions import ActionFailedException
from hcloud.images import Image
from hcloud.server_types import ServerType

from secapi_hetzner.simulator import RunningSimulator, SimState
from secapi_hetzner.simulator.control import project_name
from tests.simulator.conftest import OTHER_TOKEN, TOKEN, make_client
from tests.simulator.helpers import create_server


def _create(client: hcloud.Client, name: str = "web") -> hcloud.servers.CreateServerResponse:
    return client.servers.create(name, server_type=ServerType(name="cx23"), image=Image(name="debian-12"))


def test_fault_answers_once_then_clears(state: SimState, client: hcloud.Client) -> None:
    state.inject_fault("^/servers$", method="GET", status=500)

    with pytest.raises(hcloud.APIException) as raised:
        client.servers.get_all()
    assert raised.value.code == "server_error" and raised.value.correlation_id
    assert client.servers.get_all() == []


@pytest.mark.parametrize(("status", "code"), [(503, "unavailable"), (423, "locked"), (500, "server_error")])
def test_fault_code_follows_status(state: SimState, client: hcloud.Client, status: int, code: str) -> None:
    state.inject_fault("^/locations$", status=status)

    with pytest.raises(hcloud.APIException) as raised:
        client.locations.get_all()
    assert raised.value.code == code


def test_fault_matches_method_path_and_token(
    state: SimState, client: hcloud.Client, other_client: hcloud.Client
) -> None:
    state.inject_fault("^/placement_groups$", method="POST", code="maintenance", times=None, token=TOKEN)

    assert client.placement_groups.get_all() == []
    assert other_client.placement_groups.create("g", "spread").placement_group.name == "g"
    for _ in range(2):
        with pytest.raises(hcloud.APIException) as raised:
            client.placement_groups.create("g", "spread")
        assert raised.value.code == "maintenance"
    state.clear_faults()
    assert client.placement_groups.create("g", "spread").placement_group.name == "g"


def test_latency_provokes_client_timeouts(sim: RunningSimulator, state: SimState) -> None:
    client = make_client(sim, timeout=0.2)
    client._client._retry_max_retries = 0
    state.inject_fault("^/locations$", latency=0.5)

    with pytest.raises(requests.exceptions.Timeout):
        client.locations.get_all()
    assert len(client.locations.get_all()) == 6


def test_latency_delays_a_normal_answer(state: SimState, api: httpx.Client) -> None:
    state.inject_fault("^/locations$", latency=0.15)
    started = time.monotonic()

    assert api.get("/locations").status_code == 200
    assert time.monotonic() - started >= 0.15


def test_error_after_effect_creates_but_fails(state: SimState, client: hcloud.Client) -> None:
    state.inject_fault("^/servers$", method="POST", status=500, after_effect=True)

    with pytest.raises(hcloud.APIException) as raised:
        _create(client)
    assert raised.value.code == "server_error"
    assert [s["name"] for s in state.dump()["projects"][TOKEN]["servers"]] == ["web"]


def test_lost_answer_makes_hcloud_send_the_create_twice(sim: RunningSimulator, state: SimState) -> None:
    client = make_client(sim, timeout=0.2)
    state.inject_fault("^/servers$", method="POST", latency=0.4, after_effect=True)

    with pytest.raises(hcloud.APIException) as raised:
        _create(client)
    assert raised.value.code == "uniqueness_error"  # the retry met the server the first call created
    assert state.request_counts()["by_route"]["POST /servers"] == 2
    assert len(state.dump()["projects"][TOKEN]["servers"]) == 1


def test_plain_502_is_retried_by_hcloud(state: SimState, client: hcloud.Client) -> None:
    state.inject_fault("^/locations$", status=502, plain=True)

    assert len(client.locations.get_all()) == 6
    assert state.request_counts()["by_route"]["GET /locations"] == 2


def test_fail_next_action(state: SimState, client: hcloud.Client) -> None:
    state.fail_next_action("create_server", code="placement_error", message="no capacity")
    response = _create(client)

    with pytest.raises(ActionFailedException) as raised:
        response.action.wait_until_finished()
    assert raised.value.action.error == {"code": "placement_error", "message": "no capacity"}
    assert response.next_actions == []
    assert client.servers.get_by_id(response.server.id).status == "off"
    second = _create(client, "web-2")
    second.action.wait_until_finished()


def test_manual_actions_lock_until_completed(state: SimState, client: hcloud.Client) -> None:
    server = create_server(client, "web")
    state.set_action_timing(manual=True)
    action = server.power_off()

    for _ in range(3):
        assert client.actions.get_by_id(action.id).status == "running"
    assert client.servers.get_by_id(server.id).locked is True
    assert client.servers.get_by_id(server.id).status == "stopping"
    with pytest.raises(hcloud.APIException) as raised:
        server.reboot()
    assert raised.value.code == "locked"
    assert [a["id"] for a in state.actions(status="running")] == [action.id]

    assert state.complete_action(action.id)["status"] == "success"
    assert client.servers.get_by_id(server.id).status == "off"
    assert client.servers.get_by_id(server.id).locked is False


def test_manual_failure_undoes_the_transition(state: SimState, client: hcloud.Client) -> None:
    server = create_server(client, "web")
    state.set_action_timing(manual=True)
    action = server.power_off()

    failed = state.fail_action(action.id, code="action_failed", message="hypervisor said no")

    assert failed["status"] == "error" and failed["error"]["message"] == "hypervisor said no"
    assert client.servers.get_by_id(server.id).status == "running"
    with pytest.raises(ActionFailedException):
        client.actions.get_by_id(action.id).wait_until_finished()


def test_timed_actions(state: SimState, client: hcloud.Client) -> None:
    state.set_action_timing(0.3)
    response = _create(client)

    first = client.actions.get_by_id(response.action.id)
    assert first.status == "running" and 0 <= first.progress < 100
    started = time.monotonic()
    response.action.wait_until_finished()
    assert time.monotonic() - started > 0.1
    assert client.actions.get_by_id(response.action.id).progress == 100


def test_default_actions_finish_on_the_next_read(client: hcloud.Client) -> None:
    response = _create(client)

    assert response.action.status == "running" and response.server.status == "initializing"
    assert client.actions.get_by_id(response.action.id).status == "success"
    assert client.servers.get_by_id(response.server.id).status == "running"


def test_dump_lists_exactly_the_objects_per_project(
    state: SimState, client: hcloud.Client, other_client: hcloud.Client
) -> None:
    create_server(client, "web")
    other_client.placement_groups.create("g", "spread")

    dump = state.dump()["projects"]

    assert [s["name"] for s in dump[TOKEN]["servers"]] == ["web"]
    assert len(dump[TOKEN]["primary_ips"]) == 2
    assert dump[TOKEN]["volumes"] == [] and dump[TOKEN]["placement_groups"] == []
    assert [g["name"] for g in dump[OTHER_TOKEN]["placement_groups"]] == ["g"]
    assert dump[OTHER_TOKEN]["servers"] == []
    assert list(state.dump(OTHER_TOKEN)["projects"]) == [OTHER_TOKEN]


def test_request_counters(state: SimState, client: hcloud.Client, other_client: hcloud.Client) -> None:
    client.locations.get_all()
    client.locations.get_by_id(1)
    other_client.locations.get_all()

    counts = state.request_counts()
    assert counts["total"] == 3
    assert counts["by_route"] == {"GET /locations": 2, "GET /locations/{id}": 1}
    assert counts["by_project"][TOKEN]["by_route"] == {"GET /locations": 1, "GET /locations/{id}": 1}
    assert state.request_counts(OTHER_TOKEN)["total"] == 1
    state.reset_request_counts()
    assert state.request_counts()["total"] == 0


def test_reset_forgets_everything_but_keeps_ids_growing(state: SimState, client: hcloud.Client) -> None:
    first = client.placement_groups.create("g", "spread").placement_group.id
    state.inject_fault("^/nothing$", status=500)
    state.reset()

    assert state.dump() == {"projects": {}}
    assert state.list_faults() == []
    assert client.placement_groups.create("g", "spread").placement_group.id > first


def test_http_control_surface(control: httpx.Client, client: hcloud.Client, api: httpx.Client) -> None:
    assert control.put("/actions/timing", json={"manual": True}).json() == {"seconds": 0.0, "manual": True,
                                                                            "commands": {}, "guest_shutdown": 0.0}
    server_id = api.post(
        "/servers", json={"name": "web", "server_type": "cx23", "image": "debian-12"}
    ).json()["server"]["id"]
    running = control.get("/actions", params={"status": "running"}).json()["actions"]
    assert {a["command"] for a in running} == {"create_server", "start_server"} and running[0][
        "token"
    ] == project_name(TOKEN) != TOKEN
    assert control.post(f"/actions/{running[0]['id']}/complete").json()["action"]["status"] == "success"
    failed = control.post(f"/actions/{running[1]['id']}/fail", json={"code": "boom", "message": "no"})
    assert failed.json()["action"]["error"] == {"code": "boom", "message": "no"}
    assert control.post(f"/actions/{running[1]['id']}/complete").status_code == 409
    assert control.post("/actions/1/complete").status_code == 404

    fault = control.post("/faults", json={"path": "^/locations$", "status": 503, "times": 2}).json()["fault"]
    assert fault["code"] == "unavailable" and control.get("/faults").json()["faults"] == [fault]
    assert api.get("/locations").status_code == 503
    assert control.delete(f"/faults/{fault['id']}").status_code == 204
    assert api.get("/locations").status_code == 200
    assert control.post("/faults", json={"path": "x"}).status_code == 400

    assert control.post("/actions/fail_next", json={"command": "stop_server"}).status_code == 200
    assert control.put("/rate_limit", json={"limit": 100}).json() == {"limit": 100, "refill_per_second": 1.0}
    assert api.get("/locations").headers["ratelimit-limit"] == "100"
    assert control.get("/requests").json()["by_route"]["POST /servers"] == 1
    assert control.delete("/requests").status_code == 204
    state = control.get("/state").json()["projects"][project_name(TOKEN)]
    assert [s["id"] for s in state["servers"]] == [server_id]
    assert control.post("/reset").json() == {"reset": True}
    assert control.get("/state").json() == {"projects": {}}
