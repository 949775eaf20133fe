"""A resource waiting on another says which one in its condition."""

from __future__ import annotations

from secapi_hetzner.app.services import current
from tests.conftest import TENANT, Service, hetzner_pace

WS = "ws-wait"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
IMAGES = f"/providers/seca.storage/v1/tenants/{TENANT}/images"
LOCAL = {"resource": "skus/local-nvme"}


def instance(disk: str) -> dict:
    return {"spec": {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
                     "bootVolume": {"deviceRef": {"resource": f"block-storages/{disk}"}}}}


def test_an_instance_booting_from_an_image_in_the_making_says_it_waits_for_it(service: Service) -> None:
    service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}})
    service.put(f"{STORAGE}/origin", {"spec": {"sizeGB": 20, "skuRef": LOCAL}})
    service.put(f"{COMPUTE}/origin", instance("origin"))
    service.drain()
    service.simulator.state.set_action_timing(manual=True)  # the snapshot stays in the making
    try:
        image = {"spec": {"cpuArchitecture": "amd64", "blockStorageRef": {
            "resource": f"seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages/origin"}}}
        assert service.put(f"{IMAGES}/golden", image).status_code == 201
        service.put(f"{STORAGE}/copy", {"spec": {"sizeGB": 20, "skuRef": LOCAL,
                                                 "sourceImageRef": {"resource": "images/golden"}}})
        service.put(f"{COMPUTE}/copy", instance("copy"))
        for _ in range(6):
            current().worker.run_once()
        waiting = service.get(f"{COMPUTE}/copy").json()["status"]
        assert waiting["state"] == "creating"
        assert waiting["conditions"][0]["reason"] == "WaitingForImage"
        assert "golden" in waiting["conditions"][0]["message"]
    finally:
        hetzner_pace(service.simulator.state)
    for action in service.simulator.state.actions(status="running"):
        service.simulator.state.complete_action(action["id"])
    service.drain()
    assert service.get(f"{COMPUTE}/copy").json()["status"]["state"] == "active"
