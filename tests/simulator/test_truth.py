"""The simulator tells the truth (issue 7): a shutdown only sends ACPI and the guest decides when the
server is off; the catalog has offers whose deprecation is announced, retired ones and sold-out ones, and
each answers a create as Hetzner does; ``datacenter`` on a server create is gone (2026-07-01)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from secapi_hetzner.simulator import SimState


def _server(api: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = api.post("/servers", json={"name": f"t{time.monotonic_ns()}", "server_type": "cx23",
                                        "image": "ubuntu-24.04", "location": "fsn1", **body})
    assert answer.status_code == 201, answer.text
    return dict(answer.json()["server"])


def _status(api: httpx.Client, server_id: int) -> str:
    return str(api.get(f"/servers/{server_id}").json()["server"]["status"])


def _action(api: httpx.Client, action_id: int) -> str:
    return str(api.get(f"/actions/{action_id}").json()["action"]["status"])


def test_a_shutdown_sends_acpi_and_the_guest_powers_off_later(state: SimState, api: httpx.Client) -> None:
    state.set_action_timing(0.0, guest_shutdown=0.4)
    server = _server(api, start_after_create=True)
    assert _status(api, server["id"]) == "running"
    action = api.post(f"/servers/{server['id']}/actions/shutdown").json()["action"]
    assert _action(api, action["id"]) == "success"  # the signal was delivered …
    assert _status(api, server["id"]) == "running"  # … the guest is still shutting down
    time.sleep(0.5)
    assert _status(api, server["id"]) == "off"


def test_a_guest_that_ignores_acpi_stays_running_until_powered_off(state: SimState, api: httpx.Client) -> None:
    state.set_action_timing(0.0, guest_shutdown=None)
    server = _server(api, start_after_create=True)
    action = api.post(f"/servers/{server['id']}/actions/shutdown").json()["action"]
    assert _action(api, action["id"]) == "success"
    time.sleep(0.2)
    assert _status(api, server["id"]) == "running"
    api.post(f"/servers/{server['id']}/actions/poweroff")
    assert _action(api, action["id"]) == "success" and _status(api, server["id"]) == "off"


def test_a_power_on_cancels_a_guest_shutdown_still_under_way(state: SimState, api: httpx.Client) -> None:
    state.set_action_timing(0.0, guest_shutdown=0.3)
    server = _server(api, start_after_create=True)
    api.post(f"/servers/{server['id']}/actions/shutdown")
    _status(api, server["id"])  # the signal is delivered
    api.post(f"/servers/{server['id']}/actions/poweroff")
    api.post(f"/servers/{server['id']}/actions/poweron")
    time.sleep(0.4)
    assert _status(api, server["id"]) == "running"  # the earlier guest shutdown does not switch it off


def _offer(api: httpx.Client, server_type: str, location: str) -> dict[str, Any]:
    listed = api.get("/server_types", params={"name": server_type}).json()["server_types"][0]
    return dict(next(o for o in listed["locations"] if o["name"] == location))


@pytest.mark.parametrize(("server_type", "location", "available", "status", "code"), [
    ("cpx11", "sin", True, 201, None),  # deprecation announced: still orderable
    ("cpx11", "nbg1", False, 422, "invalid_server_type"),  # unavailable_after has passed: listed, not orderable
    ("cax41", "hel1", False, 412, "resource_unavailable"),  # sold out
    ("cpx11", "fsn1", True, 201, None),  # the same type elsewhere
])
def test_deprecated_retired_and_sold_out_offers(api: httpx.Client, server_type: str, location: str,
                                               available: bool, status: int, code: str | None) -> None:
    offer = _offer(api, server_type, location)
    assert offer["available"] is available
    assert (offer["deprecation"] is not None) == ((server_type, location) in (("cpx11", "sin"), ("cpx11", "nbg1")))
    image = "ubuntu-24.04"
    answer = api.post("/servers", json={"name": f"o-{location}", "server_type": server_type, "image": image,
                                        "location": location})
    assert answer.status_code == status, answer.text
    if code:
        assert answer.json()["error"]["code"] == code
        assert server_type in answer.json()["error"]["message"]


def test_datacenter_on_a_server_create_is_rejected(api: httpx.Client) -> None:
    answer = api.post("/servers", json={"name": "dc", "server_type": "cx23", "image": "ubuntu-24.04",
                                        "datacenter": "fsn1-dc14"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_input" and error["details"]["fields"][0]["name"] == "datacenter"
