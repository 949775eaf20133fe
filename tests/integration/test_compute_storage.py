"""Block storages and instances over HTTP, executed by the worker through the real hcloud client
against the simulator; every step's condition history is the exact one SECA clients assert."""

from __future__ import annotations

import re
from typing import Any

import pytest

from secapi_hetzner.app.services import current
from tests.conftest import TENANT, Service

WS = "ws-compute"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
VOLUME_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/hetzner-volume"}
LOCAL_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def servers(service: Service) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [s for project in projects.values() for s in project.get("servers", [])]


def volumes(service: Service) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [v for project in projects.values() for v in project.get("volumes", [])]


def named_volumes(service: Service, name: str) -> list[dict[str, Any]]:
    """The Hetzner volumes of block storage ``name``: a Hetzner name is the SECA name, a dash and the id's
    first 8 hex digits (matched whole: a volume "data" whose id begins with d is named data-d…)."""
    return [v for v in volumes(service) if re.fullmatch(rf"{re.escape(name)}-[0-9a-f]{{8}}", v["name"])]


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}}).status_code \
        in (200, 201)


def instance_body(disk: str, zone: str = "fsn1", sku: str = "cx23", **extra: Any) -> dict[str, Any]:
    return {"labels": {"app": "web"}, "spec": {
        "skuRef": {"resource": f"seca.compute/v1/tenants/{TENANT}/skus/{sku}"}, "zone": zone,
        "bootVolume": {"deviceRef": {
            "resource": f"seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages/{disk}"}},
        **extra}}


def test_block_storage_lifecycle(service: Service) -> None:
    created = service.put(f"{STORAGE}/disk-a", {"spec": {"sizeGB": 20, "skuRef": VOLUME_SKU}})
    assert created.status_code == 201, created.text
    assert created.json()["spec"]["skuRef"] == VOLUME_SKU  # echoed exactly as written
    assert created.json()["status"]["state"] == "pending" and created.json()["status"]["sizeGB"] == 20
    service.drain()
    got = service.get(f"{STORAGE}/disk-a").json()
    assert states(got) == ["active", "creating", "pending"]
    grown = service.put(f"{STORAGE}/disk-a", {"spec": {"sizeGB": 30, "skuRef": VOLUME_SKU}})
    assert grown.status_code == 200 and grown.json()["status"]["state"] == "updating"
    service.drain()
    got = service.get(f"{STORAGE}/disk-a").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["status"]["sizeGB"] == 30
    shrink = service.put(f"{STORAGE}/disk-a", {"spec": {"sizeGB": 25, "skuRef": VOLUME_SKU}})
    assert shrink.status_code == 412 and "grow" in shrink.json()["detail"]
    assert service.delete(f"{STORAGE}/disk-a").status_code == 202
    assert service.get(f"{STORAGE}/disk-a").json()["status"]["state"] == "deleting"
    service.drain()
    assert service.get(f"{STORAGE}/disk-a").status_code == 404


@pytest.mark.parametrize(("body", "detail"), [
    ({"sizeGB": 5, "skuRef": VOLUME_SKU}, "at least 10"),
    ({"sizeGB": 20, "skuRef": {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/non-existent-sku"}}, "SKU"),
    ({"sizeGB": 20000, "skuRef": VOLUME_SKU}, "at most"),
    ({"sizeGB": 20, "skuRef": VOLUME_SKU, "sourceImageRef": {"resource": "images/no-such-image"}}, "image"),
])
def test_block_storage_rejections(service: Service, body: dict[str, Any], detail: str) -> None:
    response = service.put(f"{STORAGE}/disk-bad", {"spec": body})
    assert response.status_code == 412 and detail in response.json()["detail"]


def test_unknown_workspace_is_412(service: Service) -> None:
    path = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/non-existent-workspace/block-storages/d"
    assert service.put(path, {"spec": {"sizeGB": 20, "skuRef": VOLUME_SKU}}).status_code == 412


def test_instance_lifecycle_with_power_actions(service: Service) -> None:
    service.put(f"{STORAGE}/boot-1", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    service.drain()
    created = service.put(f"{COMPUTE}/vm-1", instance_body("boot-1"))
    assert created.status_code == 201, created.text
    assert created.json()["status"]["powerState"] == "off"
    service.drain()
    got = service.get(f"{COMPUTE}/vm-1").json()
    assert states(got) == ["active", "creating", "pending"], service.operations()
    assert got["status"]["powerState"] == "off"  # created powered off, as SECA clients expect
    [server] = [s for s in servers(service) if s["labels"].get("secapi.cloud/kind") == "instance"]
    assert server["status"] == "off" and server["server_type"]["name"] == "cx23"
    assert server["location"]["name"] == "fsn1" and server["image"]["name"] == "ubuntu-24.04"
    disk = service.get(f"{STORAGE}/boot-1").json()
    assert disk["status"]["attachedTo"] == {"resource": "instances/vm-1"}

    # type change: power stays as it was
    got["spec"]["skuRef"] = {"resource": f"seca.compute/v1/tenants/{TENANT}/skus/cx33"}
    updated = service.put(f"{COMPUTE}/vm-1", got)
    assert updated.status_code == 200 and updated.json()["status"]["state"] == "updating"
    service.drain()
    got = service.get(f"{COMPUTE}/vm-1").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    [server] = [s for s in servers(service) if s["labels"].get("secapi.cloud/kind") == "instance"]
    assert server["server_type"]["name"] == "cx33"

    assert service.post(f"{COMPUTE}/vm-1/start").status_code == 202
    assert service.get(f"{COMPUTE}/vm-1").json()["status"]["state"] == "updating"  # recorded synchronously
    assert service.post(f"{COMPUTE}/vm-1/start").status_code == 412  # already started
    service.drain()
    got = service.get(f"{COMPUTE}/vm-1").json()
    assert states(got)[:2] == ["active", "updating"] and len(states(got)) == 7
    assert got["status"]["powerState"] == "on" and "powerStateSince" in got["status"]

    assert service.post(f"{COMPUTE}/vm-1/restart").status_code == 202
    service.drain()
    assert len(states(service.get(f"{COMPUTE}/vm-1").json())) == 9

    assert service.post(f"{COMPUTE}/vm-1/stop").status_code == 202
    assert service.post(f"{COMPUTE}/vm-1/stop").status_code == 412  # the stop is already recorded
    assert service.post(f"{COMPUTE}/vm-1/restart").status_code == 412
    service.drain()
    got = service.get(f"{COMPUTE}/vm-1").json()
    assert len(states(got)) == 11 and got["status"]["powerState"] == "off"

    refused = service.delete(f"{STORAGE}/boot-1")
    assert refused.status_code == 412 and "vm-1" in refused.json()["detail"]
    assert service.delete(f"{COMPUTE}/vm-1").status_code == 202
    assert service.delete(f"{COMPUTE}/vm-1").status_code == 202  # repeated: accepted, deleted once
    service.drain()
    assert service.get(f"{COMPUTE}/vm-1").status_code == 404
    assert [s for s in servers(service) if s["labels"].get("secapi.cloud/kind") == "instance"] == []
    assert "attachedTo" not in service.get(f"{STORAGE}/boot-1").json()["status"]
    assert service.delete(f"{STORAGE}/boot-1").status_code == 202
    service.drain()


def test_instance_rejections(service: Service) -> None:
    service.put(f"{STORAGE}/boot-r", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    cases = [
        (instance_body("boot-r", sku="non-existent-sku"), "skuRef"),
        (instance_body("boot-r", zone="invalid-zone"), "zone"),
        (instance_body("missing-disk"), "missing-disk"),
        (instance_body("boot-r", zone="ash"), "zone"),  # a zone of another region
        (instance_body("boot-r", sshKeys=["not a key"]), "sshKeys"),
    ]
    for body, detail in cases:
        response = service.put(f"{COMPUTE}/vm-bad", body)
        assert response.status_code == 412 and detail in response.json()["detail"], response.text


def test_data_volume_is_created_in_the_instance_location_and_attached(service: Service) -> None:
    service.put(f"{STORAGE}/boot-d", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    service.put(f"{STORAGE}/data-d", {"spec": {"sizeGB": 50, "skuRef": VOLUME_SKU}})
    volume_ref = {"deviceRef": {"resource": "block-storages/data-d"}}
    service.put(f"{COMPUTE}/vm-d", instance_body("boot-d", zone="nbg1", dataVolumes=[volume_ref]))
    service.drain()
    [volume] = named_volumes(service, "data-d")
    assert volume["size"] == 50 and volume["location"]["name"] == "nbg1" and volume["server"] is not None
    data = service.get(f"{STORAGE}/data-d").json()
    assert data["status"]["attachedTo"] == {"resource": "instances/vm-d"} and data["status"]["state"] == "active"
    # another instance in another zone cannot attach it
    service.put(f"{STORAGE}/boot-e", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    other = service.put(f"{COMPUTE}/vm-e", instance_body("boot-e", zone="hel1", dataVolumes=[volume_ref]))
    assert other.status_code == 412 and "nbg1" in other.json()["detail"]
    service.delete(f"{COMPUTE}/vm-d")
    service.drain()
    service.delete(f"{STORAGE}/data-d")
    service.drain()
    assert named_volumes(service, "data-d") == []


def test_the_same_put_again_retries_a_resource_in_error(service: Service) -> None:
    service.put(f"{STORAGE}/boot-retry", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    service.simulator.state.inject_fault("^/servers$", method="POST", status=422, code="invalid_input",
                                         token=f"simulated-project-{TENANT}")
    body = instance_body("boot-retry")
    service.put(f"{COMPUTE}/vm-retry", body)
    service.drain()
    failed = service.get(f"{COMPUTE}/vm-retry").json()
    assert failed["status"]["state"] == "error" and failed["status"]["conditions"][0]["reason"] == "InvalidInput"
    again = service.put(f"{COMPUTE}/vm-retry", body)
    assert again.status_code == 200 and again.json()["status"]["state"] == "updating"
    service.drain()
    assert service.get(f"{COMPUTE}/vm-retry").json()["status"]["state"] == "active"
    service.delete(f"{COMPUTE}/vm-retry")
    service.drain()


def test_an_instance_of_a_standard_tier_gets_the_type_behind_it(service: Service) -> None:
    """skuRef seca.d2xs (the tier the conformance suite selects with Tier=D2XS) creates the server type the
    catalog names for it; the instance keeps that type through updates, and drift sees no change."""
    tier = service.get(f"/providers/seca.compute/v1/tenants/{TENANT}/skus/seca.d2xs").json()
    hetzner_type = tier["labels"]["hetzner-type"]
    assert service.put(f"{STORAGE}/tier-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}}).status_code == 201
    assert service.put(f"{COMPUTE}/tier-vm", instance_body("tier-boot", sku="seca.d2xs")).status_code == 201
    service.drain()
    got = service.get(f"{COMPUTE}/tier-vm").json()
    assert got["status"]["state"] == "active" and got["spec"]["skuRef"]["resource"].endswith("/skus/seca.d2xs")
    [server] = [s for s in servers(service) if s["name"].startswith("tier-vm-")]
    assert server["server_type"]["name"] == hetzner_type
    body = instance_body("tier-boot", sku="seca.d2xs")
    body["labels"] = {"app": "changed"}
    assert service.put(f"{COMPUTE}/tier-vm", body).status_code == 200
    service.drain()
    assert service.get(f"{COMPUTE}/tier-vm").json()["status"]["state"] == "active"
    assert current().drift.run_once().drifted == []
    for path in (f"{COMPUTE}/tier-vm", f"{STORAGE}/tier-boot"):
        assert service.delete(path).status_code == 202
        service.drain()


def test_a_boot_volume_reports_the_real_disk_and_cannot_outgrow_it(service: Service) -> None:
    """A block storage that became a server's root disk says the disk's real size, and growing it past what
    the server type's disk holds is refused (412) instead of accepted and never true (issue 9)."""
    assert service.put(f"{STORAGE}/root", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}}).status_code == 201
    assert service.put(f"{COMPUTE}/root-vm", instance_body("root")).status_code == 201
    service.drain()
    [server] = [s for s in servers(service) if s["name"].startswith("root-vm-")]
    disk = server["primary_disk_size"]
    assert service.get(f"{STORAGE}/root").json()["status"]["sizeGB"] == disk
    refused = service.put(f"{STORAGE}/root", {"spec": {"sizeGB": disk + 460, "skuRef": LOCAL_SKU}})
    assert refused.status_code == 412 and f"holds {disk} GB" in refused.json()["detail"], refused.text
    assert service.get(f"{STORAGE}/root").json()["status"]["sizeGB"] == disk
    grown = service.put(f"{STORAGE}/root", {"spec": {"sizeGB": disk, "skuRef": LOCAL_SKU}})
    assert grown.status_code == 200
    service.drain()
    got = service.get(f"{STORAGE}/root").json()
    assert got["status"]["state"] == "active" and got["status"]["sizeGB"] == disk
    for path in (f"{COMPUTE}/root-vm", f"{STORAGE}/root"):
        assert service.delete(path).status_code == 202
        service.drain()


def test_a_volume_sku_as_boot_volume_becomes_the_local_disk_and_says_so(service: Service) -> None:
    """Hetzner boots servers from their local disk only. A block storage of the volume SKU used as a boot volume
    is accepted (portable clients pick any storage SKU for the disk) and becomes that disk: no Hetzner volume is
    made, its status shows the disk's real size and its condition says why; the SKU's labels say so too."""
    skus = service.get(f"/providers/seca.storage/v1/tenants/{TENANT}/skus").json()["items"]
    volume_sku = next(s for s in skus if s["metadata"]["name"] == "hetzner-volume")
    assert volume_sku["labels"]["as-boot-volume"] == "local-disk"
    before = len(volumes(service))
    assert service.put(f"{STORAGE}/boot-vol", {"spec": {"sizeGB": 20, "skuRef": VOLUME_SKU}}).status_code == 201
    service.drain()
    assert service.put(f"{COMPUTE}/vm-vol", instance_body("boot-vol")).status_code == 201
    service.drain()
    assert service.get(f"{COMPUTE}/vm-vol").json()["status"]["state"] == "active"
    disk = service.get(f"{STORAGE}/boot-vol").json()["status"]
    assert disk["attachedTo"] == {"resource": "instances/vm-vol"}
    assert disk["sizeGB"] == 40  # cx23's local disk, as Hetzner has it
    assert disk["conditions"][0]["reason"] == "BootsFromLocalDisk"
    assert "local disk" in disk["conditions"][0]["message"]
    assert len(volumes(service)) == before  # no Hetzner volume was made for it
    for path in (f"{COMPUTE}/vm-vol", f"{STORAGE}/boot-vol"):
        assert service.delete(path).status_code == 202
        service.drain()
