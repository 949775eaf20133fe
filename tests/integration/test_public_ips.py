"""Public IPs over HTTP: Hetzner primary IPs created, reported and deleted through the real hcloud client
against the simulator, as the official suite's public-IP scenarios run them."""

from __future__ import annotations

from typing import Any

import pytest
from hcloud import Client
from hcloud.primary_ips import PrimaryIP

from secapi_hetzner.app.services import current
from tests.conftest import TENANT, Service

WS = "ws-pip"
PIPS = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}/public-ips"


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def primary_ips(service: Service) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [p for project in projects.values() for p in project.get("primary_ips", [])
            if p["labels"].get("secapi.cloud/kind") == "public-ip"]  # not the servers' own


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}}).status_code \
        in (200, 201)


def test_public_ip_lifecycle_as_the_suite_runs_it(service: Service) -> None:
    body = {"labels": {"env": "development"}, "spec": {"version": "IPv4", "address": "52.93.126.1"}}
    created = service.put(f"{PIPS}/pip-a", body)
    assert created.status_code == 201, created.text
    assert created.json()["status"]["state"] == "pending"
    assert created.json()["spec"] == {"version": "IPv4", "address": "52.93.126.1"}
    assert created.json()["metadata"]["kind"] == "public-ip"
    service.drain()
    got = service.get(f"{PIPS}/pip-a").json()
    assert states(got) == ["active", "creating", "pending"]
    [ip] = primary_ips(service)
    assert ip["type"] == "ipv4" and ip["location"]["name"] == "fsn1" and ip["auto_delete"] is False
    assert ip["assignee_id"] is None
    assert ip["labels"]["secapi.cloud/kind"] == "public-ip" and ip["labels"]["secapi.cloud/managed"] == "true"
    # the requested address is echoed; the one Hetzner allocated is reported
    assert got["spec"]["address"] == "52.93.126.1" and got["status"]["ipAddress"] == ip["ip"]

    before = service.simulator.state.request_counts(f"simulated-project-{TENANT}")["total"]
    updated = service.put(f"{PIPS}/pip-a", {**body, "spec": {"version": "IPv4", "address": "52.93.126.2"}})
    assert updated.status_code == 200 and updated.json()["status"]["state"] == "active"
    assert states(service.get(f"{PIPS}/pip-a").json()) == ["active", "updating", "active", "creating", "pending"]
    service.drain()
    got = service.get(f"{PIPS}/pip-a").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert "reason" not in got["status"]["conditions"][0]
    assert got["spec"]["address"] == "52.93.126.2" and [p["id"] for p in primary_ips(service)] == [ip["id"]]
    # (the dump above counts as one request) an update costs no Hetzner call: nothing changes there
    assert service.simulator.state.request_counts(f"simulated-project-{TENANT}")["total"] - before <= 1

    family = service.put(f"{PIPS}/pip-a", {"spec": {"version": "IPv6"}})
    assert family.status_code == 412 and "family" in family.json()["detail"]

    assert service.delete(f"{PIPS}/pip-a").status_code == 202
    assert service.get(f"{PIPS}/pip-a").json()["status"]["state"] == "deleting"
    service.drain()
    assert service.get(f"{PIPS}/pip-a").status_code == 404
    assert primary_ips(service) == []
    assert service.delete(f"{PIPS}/pip-a").status_code == 404


def test_two_public_ips_with_the_same_requested_address_and_ipv6(service: Service) -> None:
    for name in ("pip-1", "pip-2"):
        response = service.put(f"{PIPS}/{name}", {"labels": {"env": "conformance"},
                                                  "spec": {"version": "IPv4", "address": "52.93.126.1"}})
        assert response.status_code == 201, response.text
    assert service.put(f"{PIPS}/pip-6", {"spec": {"version": "IPv6"}}).status_code == 201
    service.drain()
    ips = {p["labels"]["secapi.cloud/name"]: p for p in primary_ips(service)}
    assert sorted(ips) == ["pip-1", "pip-2", "pip-6"]
    assert ips["pip-1"]["ip"] != ips["pip-2"]["ip"] and ips["pip-6"]["type"] == "ipv6"
    six = service.get(f"{PIPS}/pip-6").json()
    assert six["status"]["ipAddress"] == ips["pip-6"]["ip"] and "address" not in six["spec"]

    listed = service.get(PIPS, params={"labels": "env=conformance", "limit": 1}).json()
    assert [i["metadata"]["name"] for i in listed["items"]] == ["pip-1"] and listed["metadata"]["skipToken"]
    rest = service.get(PIPS, params={"labels": "env=conformance", "limit": 1,
                                      "skipToken": listed["metadata"]["skipToken"]}).json()
    assert [i["metadata"]["name"] for i in rest["items"]] == ["pip-2"]

    version = service.get(f"{PIPS}/pip-1").json()["metadata"]["resourceVersion"]
    stale = service.delete(f"{PIPS}/pip-1", headers={"if-unmodified-since": str(version + 5)})
    assert stale.status_code == 412
    for name in ("pip-1", "pip-2", "pip-6"):
        assert service.delete(f"{PIPS}/{name}").status_code == 202
    service.drain()
    assert primary_ips(service) == []


@pytest.mark.parametrize(("spec", "detail"), [
    ({"version": "IPv4", "address": "not-an-ip"}, "not an IP address"),
    ({"version": "IPv4", "address": "2001:db8::1"}, "not an IPv4"),
])
def test_public_ip_rejections(service: Service, spec: dict[str, Any], detail: str) -> None:
    response = service.put(f"{PIPS}/pip-bad", {"spec": spec})
    assert response.status_code == 412 and detail in response.json()["detail"], response.text


def test_a_primary_ip_deleted_outside_is_drift_and_a_put_replaces_it(service: Service) -> None:
    assert service.put(f"{PIPS}/pip-drift", {"spec": {"version": "IPv4"}}).status_code == 201
    service.drain()
    [ip] = primary_ips(service)
    console = Client(token=f"simulated-project-{TENANT}", api_endpoint=service.simulator.url, timeout=5)
    console.primary_ips.delete(PrimaryIP(id=ip["id"]))  # an operator, in Hetzner's console
    current().drift.run_once()
    got = service.get(f"{PIPS}/pip-drift").json()
    assert got["status"]["state"] == "error"
    assert got["status"]["conditions"][0]["reason"] == "DeletedOutsideService"
    # a PUT (even unchanged) makes a new primary IP; its address is new, and the condition says so
    assert service.put(f"{PIPS}/pip-drift", {"spec": {"version": "IPv4"}}).status_code == 200
    service.drain()
    [new] = primary_ips(service)
    got = service.get(f"{PIPS}/pip-drift").json()
    assert got["status"]["state"] == "active" and got["status"]["ipAddress"] == new["ip"] != ip["ip"]
    condition = got["status"]["conditions"][0]
    assert condition["reason"] == "Recreated" and ip["ip"] in condition["message"] and new["ip"] in condition["message"]
    assert service.delete(f"{PIPS}/pip-drift").status_code == 202
    service.drain()
    assert service.get(f"{PIPS}/pip-drift").status_code == 404
