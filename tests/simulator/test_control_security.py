"""The simulator's test control (``/_sim/…``) has no authentication: it answers its own machine only, and
never shows a project's token (tenants may register their own Hetzner tokens with the service)."""

from __future__ import annotations

import json

import hcloud
import httpx
from starlette.testclient import TestClient

from secapi_hetzner.simulator import RunningSimulator, SimState
from secapi_hetzner.simulator.app import create_app
from secapi_hetzner.simulator.control import project_name
from tests.simulator.conftest import TOKEN
from tests.simulator.helpers import create_server


def test_control_refuses_clients_on_other_machines(state: SimState) -> None:
    with TestClient(create_app(state), client=("203.0.113.9", 40000)) as remote:
        for method, path in (("GET", "/_sim/state"), ("POST", "/_sim/reset"), ("GET", "/_sim/requests"),
                             ("PUT", "/_sim/actions/timing")):
            answer = remote.request(method, path, json={})
            assert answer.status_code == 403, (method, path, answer.text)
            assert answer.json()["error"]["code"] == "forbidden"
    with TestClient(create_app(state), client=("127.0.0.1", 40000)) as local:
        assert local.get("/_sim/state").status_code == 200


def test_control_answers_never_show_a_token(sim: RunningSimulator, client: hcloud.Client) -> None:
    create_server(client, "web")
    control = sim.url.removesuffix("/v1") + "/_sim"
    httpx.post(f"{control}/faults", json={"path": "^/nothing$", "status": 500, "token": TOKEN}).raise_for_status()
    answers = [httpx.get(f"{control}/{path}").text for path in ("state", "actions", "requests", "faults")]
    for text in answers:
        assert TOKEN not in text
    assert project_name(TOKEN) in json.loads(answers[0])["projects"]
    # a project is still selected by its token
    assert list(httpx.get(f"{control}/state", params={"token": TOKEN}).json()["projects"]) == [project_name(TOKEN)]
