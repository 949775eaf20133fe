"""Concurrent creates of one name behave as sequential PUTs, and every accepted PUT is recorded.

Found by probing the service (issues 8 and 9): ten PUTs of one new name in parallel answered 500
(UniqueViolation) and lost writers' labels; a PUT that changed nothing recorded no update, although the
conformance suite expects ``updating`` then ``active`` after every accepted update."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.conftest import TENANT, Service

WS = "ws-races"
WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}
RACERS = 10


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    assert service.put(f"{WORKSPACES}/{WS}", {"spec": {}}).status_code in (200, 201)


def _instance(disk: str) -> dict[str, Any]:
    return {"spec": {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
                     "bootVolume": {"deviceRef": {"resource": f"block-storages/{disk}"}}}}


def _race(service: Service, path: str, body: dict[str, Any]) -> list[httpx.Response]:
    def put(i: int) -> httpx.Response:
        with httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {service.token}"},
                          timeout=30) as client:
            return client.put(path, json={**body, "labels": {"writer": str(i)}})

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(put, range(RACERS)))


@pytest.mark.parametrize(("kind", "path", "body"), [
    ("workspace", f"{WORKSPACES}/raced", {"spec": {}}),
    ("block-storage", f"{STORAGE}/raced", {"spec": {"sizeGB": 20, "skuRef": LOCAL}}),
])
def test_concurrent_creates_of_one_name_are_sequential_puts(service: Service, kind: str, path: str,
                                                          body: dict[str, Any]) -> None:
    answers = _race(service, path, body)
    assert sorted(r.status_code for r in answers) == [200] * (RACERS - 1) + [201], [r.text for r in answers]
    stored = service.get(path).json()
    assert stored["labels"]["writer"] in {str(i) for i in range(RACERS)}  # one writer's labels, whole
    assert stored["metadata"]["resourceVersion"] >= 1
    service.drain()
    assert service.delete(path).status_code == 202
    service.drain()


def test_concurrent_creates_of_one_instance_make_one_server(service: Service) -> None:
    assert service.put(f"{STORAGE}/raced-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL}}).status_code == 201
    answers = _race(service, f"{COMPUTE}/raced", _instance("raced-boot"))
    assert sorted(r.status_code for r in answers) == [200] * (RACERS - 1) + [201], [r.text for r in answers]
    service.drain()
    projects = service.simulator.state.dump()["projects"]
    servers = [s for p in projects.values() for s in p.get("servers", []) if s["name"].startswith("raced-")]
    assert len(servers) == 1
    for path in (f"{COMPUTE}/raced", f"{STORAGE}/raced-boot"):
        service.delete(path)
        service.drain()


def test_a_put_that_changes_nothing_is_recorded_and_costs_no_hetzner_call(service: Service) -> None:
    assert service.put(f"{STORAGE}/same-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL}}).status_code == 201
    body = _instance("same-boot")
    assert service.put(f"{COMPUTE}/same", body).status_code == 201
    service.drain()
    before = service.get(f"{COMPUTE}/same").json()
    assert "powerStateSince" not in before["status"]  # absent until the instance was started (the spec)
    service.simulator.state.reset_request_counts()
    again = service.put(f"{COMPUTE}/same", body)
    assert again.status_code == 200 and again.json()["status"]["state"] == "active"
    after = service.get(f"{COMPUTE}/same").json()
    assert [c["state"] for c in after["status"]["conditions"]][:3] == ["active", "updating", "active"]
    assert after["metadata"]["resourceVersion"] > before["metadata"]["resourceVersion"]
    service.drain()
    assert service.simulator.state.request_counts()["total"] == 0
    assert service.post(f"{COMPUTE}/same/start").status_code == 202
    service.drain()
    assert "powerStateSince" in service.get(f"{COMPUTE}/same").json()["status"]
    for path in (f"{COMPUTE}/same", f"{STORAGE}/same-boot"):
        service.delete(path)
        service.drain()


def _servers(service: Service, prefix: str) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [s for p in projects.values() for s in p.get("servers", []) if s["name"].startswith(prefix)]


@pytest.mark.parametrize("kind", ["workspace", "block-storage", "instance"])
def test_updates_racing_a_delete_of_one_name_end_in_one_consistent_state(service: Service, kind: str) -> None:
    """Updates (each with its own labels) and a delete of one existing resource, all at once: every answer
    is a documented one (never a 500), and afterwards the resource is either gone, with nothing left on
    Hetzner, or there, active, with one writer's labels whole and exactly one server."""
    name = f"contest-{kind}"
    boot = f"{name}-boot"
    if kind == "instance":
        assert service.put(f"{STORAGE}/{boot}", {"spec": {"sizeGB": 20, "skuRef": LOCAL}}).status_code == 201
    path, body = {
        "workspace": (f"{WORKSPACES}/{name}", {"spec": {}}),
        "block-storage": (f"{STORAGE}/{name}", {"spec": {"sizeGB": 20, "skuRef": LOCAL}}),
        "instance": (f"{COMPUTE}/{name}", _instance(boot)),
    }[kind]
    assert service.put(path, body).status_code == 201
    service.drain()

    def contend(i: int) -> httpx.Response:
        with httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {service.token}"},
                          timeout=30) as client:
            if i == RACERS // 2:
                return client.delete(path)
            return client.put(path, json={**body, "labels": {"writer": str(i)}})

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(contend, range(RACERS)))
    assert all(r.status_code in (200, 201, 202, 409) for r in answers), [(r.status_code, r.text) for r in answers]
    service.drain()
    final = service.get(path)
    if final.status_code == 404:
        assert kind != "instance" or _servers(service, name) == []
    else:
        got = final.json()
        assert final.status_code == 200 and got["status"]["state"] == "active", got["status"]
        assert got["labels"]["writer"] in {str(i) for i in range(RACERS)}
        assert kind != "instance" or len(_servers(service, name)) == 1
        assert service.delete(path).status_code == 202
        service.drain()
    if kind == "instance":
        service.delete(f"{STORAGE}/{boot}")
        service.drain()
