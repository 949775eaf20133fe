"""Zone changes of instances, over HTTP, carried out on the simulator the one way Hetzner allows: the old
server is shut down and snapshotted, a new server of the same type is made from the snapshot in the new
zone, and the old server and the snapshot are deleted. The Hetzner project is looked at after each move."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

from tests.conftest import TENANT, Service

WS = "ws-move"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
VOLUME_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/hetzner-volume"}
LOCAL_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


def ssh_key(seed: str) -> str:
    kind, body = b"ssh-ed25519", (seed.encode() * 32)[:32]
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(body)) + body
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {seed}@move"


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}}).status_code \
        in (200, 201)


def instance_body(disk: str, zone: str, **extra: Any) -> dict[str, Any]:
    return {"labels": {"app": "web"}, "spec": {
        "skuRef": {"resource": f"seca.compute/v1/tenants/{TENANT}/skus/cx23"}, "zone": zone,
        "bootVolume": {"deviceRef": {"resource": f"block-storages/{disk}"}}, **extra}}


def project(service: Service) -> dict[str, Any]:
    [only] = [p for p in service.simulator.state.dump()["projects"].values() if p.get("servers")] or [{}]
    return only


def servers_of(service: Service, name: str) -> list[dict[str, Any]]:
    return [s for s in project(service).get("servers", []) if s["labels"].get("secapi.cloud/name") == name]


def hetzner_record(service: Service, kind: str, ident: int) -> dict[str, Any]:
    """What the simulator keeps of one object, including what Hetzner's API does not show back."""
    [record] = [p.store(kind)[ident] for p in service.simulator.state.projects.values() if ident in p.store(kind)]
    return dict(record)


def snapshots(service: Service) -> list[dict[str, Any]]:
    return [i for p in service.simulator.state.dump()["projects"].values() for i in p.get("images", [])
            if i.get("type") == "snapshot"]


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def make_instance(service: Service, name: str, zone: str = "fsn1", **extra: Any) -> dict[str, Any]:
    assert service.put(f"{STORAGE}/{name}-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}}).status_code == 201
    created = service.put(f"{COMPUTE}/{name}", instance_body(f"{name}-boot", zone, **extra))
    assert created.status_code == 201, created.text
    service.drain()
    got: dict[str, Any] = service.get(f"{COMPUTE}/{name}").json()
    assert got["status"]["state"] == "active", got["status"]
    return got


def remove(service: Service, name: str) -> None:
    for path in (f"{COMPUTE}/{name}", f"{STORAGE}/{name}-boot"):
        assert service.delete(path).status_code == 202
        service.drain()
        assert service.get(path).status_code == 404
    assert servers_of(service, name) == [] and snapshots(service) == []


def test_a_running_instance_moves_with_its_keys_group_user_data_and_power(service: Service) -> None:
    key = ssh_key("mover")
    got = make_instance(service, "vm-mv", sshKeys=[key], antiAffinityGroup="web", userData="#cloud-config\n")
    assert service.post(f"{COMPUTE}/vm-mv/start").status_code == 202
    service.drain()
    [old] = servers_of(service, "vm-mv")
    assert old["status"] == "running" and old["location"]["name"] == "fsn1"

    got = service.get(f"{COMPUTE}/vm-mv").json()
    got["spec"]["zone"] = "hel1"
    moving = service.put(f"{COMPUTE}/vm-mv", got)
    assert moving.status_code == 200 and moving.json()["status"]["state"] == "updating"
    service.drain()

    moved = service.get(f"{COMPUTE}/vm-mv").json()
    assert states(moved)[:2] == ["active", "updating"], moved["status"]["conditions"][0]
    assert moved["status"]["powerState"] == "on"
    condition = moved["status"]["conditions"][0]
    assert condition["reason"] == "Moved" and "from fsn1 to hel1" in condition["message"], condition
    [new] = servers_of(service, "vm-mv")  # one server: the old one is gone
    assert new["id"] != old["id"] and new["location"]["name"] == "hel1" and new["status"] == "running"
    assert new["server_type"]["name"] == old["server_type"]["name"]
    assert old["placement_group"] is not None and new["placement_group"]["id"] == old["placement_group"]["id"]
    def owner(labels: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in labels.items() if k != "secapi.cloud/operation"}  # which operation made it

    assert owner(new["labels"]) == owner(old["labels"])
    keys = {k["id"]: k["public_key"] for k in project(service).get("ssh_keys", [])}
    raw = hetzner_record(service, "server", new["id"])  # Hetzner shows neither keys nor user data on a server
    assert [keys[i] for i in raw["ssh_keys"]] == [key] and raw["user_data"] == "#cloud-config\n"
    assert snapshots(service) == []  # the snapshot it was made from is deleted
    disk = service.get(f"{STORAGE}/vm-mv-boot").json()
    assert disk["status"]["attachedTo"] == {"resource": "instances/vm-mv"}

    # moving back, and a PUT with the same zone, are recorded like any update
    moved["spec"]["zone"] = "fsn1"
    assert service.put(f"{COMPUTE}/vm-mv", moved).status_code == 200
    service.drain()
    back = service.get(f"{COMPUTE}/vm-mv").json()
    [again] = servers_of(service, "vm-mv")
    assert again["location"]["name"] == "fsn1" and again["status"] == "running" and back["status"]["state"] == "active"
    same = service.put(f"{COMPUTE}/vm-mv", back)
    assert same.status_code == 200
    service.drain()
    assert servers_of(service, "vm-mv")[0]["id"] == again["id"]  # no move for the same zone
    remove(service, "vm-mv")


def test_a_stopped_instance_moves_and_stays_off(service: Service) -> None:
    got = make_instance(service, "vm-off")
    [old] = servers_of(service, "vm-off")
    got["spec"]["zone"] = "nbg1"
    assert service.put(f"{COMPUTE}/vm-off", got).status_code == 200
    service.drain()
    moved = service.get(f"{COMPUTE}/vm-off").json()
    [new] = servers_of(service, "vm-off")
    assert (new["location"]["name"], new["status"], moved["status"]["powerState"]) == ("nbg1", "off", "off")
    assert new["id"] != old["id"] and "powerStateSince" not in moved["status"]  # never started
    remove(service, "vm-off")


def test_a_move_with_a_data_volume_is_refused_naming_it_and_changes_nothing(service: Service) -> None:
    assert service.put(f"{STORAGE}/vm-dv-data", {"spec": {"sizeGB": 10, "skuRef": VOLUME_SKU}}).status_code == 201
    got = make_instance(service, "vm-dv", dataVolumes=[{"deviceRef": {"resource": "block-storages/vm-dv-data"}}])
    [server] = servers_of(service, "vm-dv")
    got["spec"]["zone"] = "nbg1"
    refused = service.put(f"{COMPUTE}/vm-dv", got)
    assert refused.status_code == 412, refused.text
    problem = refused.json()
    assert "vm-dv-data" in problem["detail"] and "fsn1" in problem["detail"], problem
    service.drain()
    assert service.get(f"{COMPUTE}/vm-dv").json()["spec"]["zone"] == "fsn1"
    assert servers_of(service, "vm-dv") == [server]
    # without the data volume it moves
    got["spec"].pop("dataVolumes")
    assert service.put(f"{COMPUTE}/vm-dv", got).status_code == 200
    service.drain()
    [new] = servers_of(service, "vm-dv")
    assert new["location"]["name"] == "nbg1"
    remove(service, "vm-dv")
    assert service.delete(f"{STORAGE}/vm-dv-data").status_code == 202
    service.drain()


@pytest.mark.parametrize("update_zone", ["fsn1", "nbg1"])
def test_the_conformance_lifecycle_passes_with_the_update_zone_equal_or_different(
        service: Service, update_zone: str) -> None:
    """Compute.V1.ProviderLifeCycle's sequence: create (zone fsn1), PUT the object read back with a random
    zone, then start, restart, stop, each followed by the condition history the suite asserts."""
    name = f"vm-life-{update_zone}"
    got = make_instance(service, name)
    assert states(got) == ["active", "creating", "pending"]
    got["spec"]["zone"] = update_zone
    updated = service.put(f"{COMPUTE}/{name}", got)
    # the same zone changes nothing on Hetzner: recorded updating → active at once
    assert updated.status_code == 200
    assert updated.json()["status"]["state"] == ("active" if update_zone == "fsn1" else "updating")
    service.drain()
    got = service.get(f"{COMPUTE}/{name}").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["spec"]["zone"] == update_zone
    for action, count, power in (("start", 7, "on"), ("restart", 9, "on"), ("stop", 11, "off")):
        assert service.post(f"{COMPUTE}/{name}/{action}").status_code == 202
        service.drain()
        got = service.get(f"{COMPUTE}/{name}").json()
        assert states(got)[:2] == ["active", "updating"] and len(states(got)) == count, states(got)
        assert got["status"]["powerState"] == power
    [server] = servers_of(service, name)
    assert server["location"]["name"] == update_zone and server["status"] == "off"
    remove(service, name)
