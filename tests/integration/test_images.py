"""The tenant's own images over HTTP, executed by the worker through the real hcloud client against the
simulator: snapshots of root disks, the system image an unused block storage holds, updates, deletes,
the merged list with the system images, and instances booted from a tenant image."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from hcloud import Client
from hcloud.servers import Server

from secapi_hetzner.app.services import current
from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.image.kind import admit
from secapi_hetzner.store.repository import Key, Resource
from tests.conftest import TENANT, Service

WS = "ws-images"
IMAGES = f"/providers/seca.storage/v1/tenants/{TENANT}/images"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
SKUS = {"volume": f"seca.storage/v1/tenants/{TENANT}/skus/hetzner-volume",
        "local": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}
NOW = datetime(2026, 1, 1, tzinfo=UTC)
PROJECT = f"simulated-project-{TENANT}"  # the tenant's Hetzner project in the simulator (no token stored)


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def disk_ref(name: str, workspace: str = WS) -> dict[str, str]:
    return {"resource": f"seca.storage/v1/tenants/{TENANT}/workspaces/{workspace}/block-storages/{name}"}


def image_body(disk: str, arch: str = "amd64", **extra: Any) -> dict[str, Any]:
    return {"labels": {"env": "conformance"}, "annotations": {"description": "an image"},
            "metadata": {"name": "ignored", "region": "eu-central", "resourceVersion": 0},
            "spec": {"blockStorageRef": disk_ref(disk), "cpuArchitecture": arch, **extra}}


def make_disk(service: Service, name: str, sku: str = "local", **spec: Any) -> None:
    response = service.put(f"{STORAGE}/{name}", {"spec": {"sizeGB": 20, "skuRef": {"resource": SKUS[sku]}, **spec}})
    assert response.status_code in (200, 201), response.text


def make_instance(service: Service, name: str, disk: str, sku: str = "cx23") -> None:
    response = service.put(f"{COMPUTE}/{name}", {"spec": {
        "skuRef": {"resource": f"seca.compute/v1/tenants/{TENANT}/skus/{sku}"}, "zone": "fsn1",
        "bootVolume": {"deviceRef": disk_ref(disk)}}})
    assert response.status_code in (200, 201), response.text


def snapshots(service: Service) -> list[dict[str, Any]]:
    """The images' snapshots (the simulator is shared by the session: other modules leave objects behind)."""
    project = service.simulator.state.dump(PROJECT)["projects"].get(PROJECT, {})
    return [i for i in project.get("images", [])
            if i["type"] == "snapshot" and i["labels"].get("secapi.cloud/kind") == "image"]


def servers(service: Service) -> list[dict[str, Any]]:
    return service.simulator.state.dump(PROJECT)["projects"].get(PROJECT, {}).get("servers", [])


def stored(name: str) -> Resource:
    found = current().resource_service.repository.get(Key(TENANT, "", "", "image", name))
    assert found is not None
    return found


def all_items(service: Service, params: dict[str, Any], headers: dict[str, str] | None = None
              ) -> tuple[list[dict[str, Any]], list[str]]:
    """Every item of the image list, and the skipTokens seen."""
    items, tokens, token = [], [], None
    while True:
        response = service.get(IMAGES, params={**params, **({"skipToken": token} if token else {})},
                               headers=headers or {})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["metadata"]["resource"] == "images" and body["metadata"]["verb"] == "GET"
        items += body["items"]
        token = body["metadata"].get("skipToken")
        if not token:
            return items, tokens
        tokens.append(token)


def delete_all(service: Service, *paths: str) -> None:
    for path in paths:
        assert service.delete(path).status_code in (202, 404)
        service.drain()


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    response = service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}})
    assert response.status_code in (200, 201)


# -- the conformance Storage lifecycle: an image of a fresh, unused block storage ------------------------


@pytest.mark.parametrize("sku", ["volume", "local"])
def test_lifecycle_of_an_image_of_an_unused_block_storage(service: Service, sku: str) -> None:
    disk, name = f"fresh-{sku}", f"img-fresh-{sku}"
    make_disk(service, disk, sku)
    service.drain()
    created = service.put(f"{IMAGES}/{name}", image_body(disk))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["spec"]["blockStorageRef"] == disk_ref(disk)  # echoed exactly as written
    assert body["status"]["state"] == "pending" and body["metadata"]["verb"] == "PUT"
    assert body["metadata"] | {"resourceVersion": 0} == {
        "name": name, "provider": "seca.storage/v1", "resource": f"images/{name}", "verb": "PUT",
        "apiVersion": "v1", "kind": "image", "ref": f"seca.storage/v1/tenants/{TENANT}/images/{name}",
        "tenant": TENANT, "region": "eu-central", "createdAt": body["metadata"]["createdAt"],
        "lastModifiedAt": body["metadata"]["lastModifiedAt"], "resourceVersion": 0}
    service.drain()
    got = service.get(f"{IMAGES}/{name}").json()
    assert states(got) == ["active", "creating", "pending"]
    assert got["labels"] == {"env": "conformance"} and got["metadata"]["verb"] == "GET"
    assert got["status"]["sizeMB"] >= 1
    newest = got["status"]["conditions"][0]
    assert newest["reason"] == "NoSnapshotNeeded" and "'ubuntu-24.04'" in newest["message"]
    assert stored(name).internal["system_image"] == "ubuntu-24.04"
    assert snapshots(service) == []  # nothing to snapshot: no server ever used the block storage

    got["spec"]["cpuArchitecture"] = "arm64"  # the whole GET object back, as the suite does
    updated = service.put(f"{IMAGES}/{name}", got)
    assert updated.status_code == 200 and updated.json()["status"]["state"] == "updating"
    service.drain()
    got = service.get(f"{IMAGES}/{name}").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["spec"]["cpuArchitecture"] == "arm64" and "'ubuntu-24.04-arm64'" in got["status"]["conditions"][0][
        "message"]
    assert stored(name).internal["system_image"] == "ubuntu-24.04-arm64"

    assert service.delete(f"{IMAGES}/{name}").status_code == 202
    assert service.get(f"{IMAGES}/{name}").json()["status"]["state"] == "deleting"
    service.drain()
    assert service.get(f"{IMAGES}/{name}").status_code == 404
    delete_all(service, f"{STORAGE}/{disk}")


def test_an_unused_block_storage_holds_its_source_image(service: Service) -> None:
    make_disk(service, "from-debian", sourceImageRef={"resource": "images/debian-12"})
    assert service.put(f"{IMAGES}/img-debian", image_body("from-debian", "arm64")).status_code == 201
    service.drain()
    got = service.get(f"{IMAGES}/img-debian").json()
    assert got["status"]["state"] == "active" and "sourceImageRef" in got["status"]["conditions"][0]["message"]
    assert stored("img-debian").internal["system_image"] == "debian-12-arm64"
    # an image of a block storage that holds one of the tenant's own images: use that image instead
    make_disk(service, "from-own", sourceImageRef={"resource": "images/img-debian"})
    refused = service.put(f"{IMAGES}/img-own", image_body("from-own"))
    assert refused.status_code == 412 and "use that image instead" in refused.json()["detail"]
    # an image a block storage is made from is not deleted
    in_use = service.delete(f"{IMAGES}/img-debian")
    assert in_use.status_code == 412 and f"{WS}/from-own" in in_use.json()["detail"], in_use.text
    delete_all(service, f"{STORAGE}/from-own", f"{IMAGES}/img-debian", f"{STORAGE}/from-debian")


# -- 412s ----------------------------------------------------------------------------------------------


def test_rejections(service: Service) -> None:
    make_disk(service, "disk-r")
    service.drain()
    other_region = image_body("disk-r")
    other_region["spec"]["blockStorageRef"]["region"] = "us-east"
    no_workspace = image_body("disk-r")
    no_workspace["spec"]["blockStorageRef"] = {"resource": "block-storages/disk-r"}
    cases = [
        (image_body("never-created"), "never-created"),  # the conformance suite's "disk in another region"
        (image_body("disk-r", "x86_64"), ""),  # schema: cpuArchitecture is amd64 or arm64
        ({**image_body("disk-r"), "metadata": {"region": "invalid-region"}}, "region"),
        ({"spec": {"blockStorageRef": disk_ref("disk-r", "non-existent-workspace"), "cpuArchitecture": "amd64"}},
         "non-existent-workspace"),
        (no_workspace, "workspace"),
        (other_region, "us-east"),
        ({"spec": {"blockStorageRef": {"resource": f"seca.compute/v1/tenants/{TENANT}/skus/cx23"},
                   "cpuArchitecture": "amd64"}}, "block-storages"),
        ({"spec": {"cpuArchitecture": "amd64"}}, ""),  # schema: blockStorageRef is required
    ]
    for body, detail in cases:
        response = service.put(f"{IMAGES}/img-bad", body)
        assert response.status_code == 412, (body, response.text)
        assert detail in response.json()["detail"], response.text
    assert service.get(f"{IMAGES}/img-bad").status_code == 404
    delete_all(service, f"{STORAGE}/disk-r")


def test_a_hetzner_volume_cannot_be_an_image(service: Service) -> None:
    make_disk(service, "boot-v")
    make_disk(service, "data-v", "volume")
    service.put(f"{COMPUTE}/vm-v", {"spec": {
        "skuRef": {"resource": f"seca.compute/v1/tenants/{TENANT}/skus/cx23"}, "zone": "fsn1",
        "bootVolume": {"deviceRef": disk_ref("boot-v")}, "dataVolumes": [{"deviceRef": disk_ref("data-v")}]}})
    service.drain()
    refused = service.put(f"{IMAGES}/img-volume", image_body("data-v"))
    assert refused.status_code == 412 and "Hetzner volume" in refused.json()["detail"], refused.text
    delete_all(service, f"{COMPUTE}/vm-v", f"{STORAGE}/data-v", f"{STORAGE}/boot-v")


def test_system_images_are_read_only(service: Service) -> None:
    put = service.put(f"{IMAGES}/ubuntu-24.04", image_body("whatever"))
    assert put.status_code == 412 and "read-only" in put.json()["detail"], put.text
    deleted = service.delete(f"{IMAGES}/ubuntu-24.04")
    assert deleted.status_code == 412 and "read-only" in deleted.json()["detail"]
    got = service.get(f"{IMAGES}/ubuntu-24.04").json()
    assert got["labels"]["hetzner-kind"] == "system-image" and got["status"]["state"] == "active"
    assert service.get(f"{IMAGES}/no-such-image").status_code == 404
    assert service.delete(f"{IMAGES}/no-such-image").status_code == 404


# -- snapshots of root disks, and instances booted from them ---------------------------------------------


def test_snapshot_of_a_root_disk_boots_a_new_instance(service: Service) -> None:
    make_disk(service, "boot-s")
    make_instance(service, "vm-s", "boot-s")
    service.drain()
    source_server_id = stored_instance("vm-s").internal["server_id"]

    created = service.put(f"{IMAGES}/img-snap", image_body("boot-s"))
    assert created.status_code == 201, created.text
    service.drain()
    got = service.get(f"{IMAGES}/img-snap").json()
    assert states(got) == ["active", "creating", "pending"], service.operations()
    [snapshot] = snapshots(service)
    assert snapshot["status"] == "available" and snapshot["created_from"]["id"] == source_server_id
    resource = stored("img-snap")
    assert snapshot["labels"] | {"secapi.cloud/operation": "-"} == {
        "secapi.cloud/managed": "true", "secapi.cloud/resource": str(resource.id), "secapi.cloud/kind": "image",
        "secapi.cloud/role": "snapshot", "secapi.cloud/generation": "1", "secapi.cloud/name": "img-snap",
        "secapi.cloud/tenant": hashlib.sha256(TENANT.encode()).hexdigest()[:16],
        "secapi.cloud/workspace": hashlib.sha256(b"").hexdigest()[:16], "secapi.cloud/operation": "-"}
    assert resource.internal["snapshot_id"] == snapshot["id"]
    assert got["status"]["sizeMB"] == math.ceil(snapshot["image_size"] * 1024)
    assert got["status"]["conditions"][0]["reason"] == "SnapshotTaken"
    assert str(snapshot["id"]) in got["status"]["conditions"][0]["message"]

    # the root disk is a cx23's (x86): the image cannot claim to be arm64
    wrong = service.put(f"{IMAGES}/img-snap", image_body("boot-s", "arm64"))
    assert wrong.status_code == 412 and "amd64" in wrong.json()["detail"], wrong.text
    # a change of labels only: no new snapshot
    relabelled = service.put(f"{IMAGES}/img-snap", {**image_body("boot-s"), "labels": {"env": "other"}})
    assert relabelled.status_code == 200
    service.drain()
    assert states(service.get(f"{IMAGES}/img-snap").json()) == ["active", "updating", "active", "creating",
                                                                 "pending"]
    assert [s["id"] for s in snapshots(service)] == [snapshot["id"]]

    # a new instance boots from a block storage made from the image: Hetzner creates it from the snapshot
    make_disk(service, "boot-copy", sourceImageRef={"resource": f"seca.storage/v1/tenants/{TENANT}/images/img-snap"})
    make_instance(service, "vm-copy", "boot-copy")
    service.drain()
    assert service.get(f"{COMPUTE}/vm-copy").json()["status"]["state"] == "active", service.operations()
    copy = service.get(f"{COMPUTE}/vm-copy").json()
    server_id = stored_instance("vm-copy").internal["server_id"]
    [server] = [s for s in servers(service) if s["id"] == server_id]
    assert server["image"]["id"] == snapshot["id"] and server["image"]["type"] == "snapshot"
    assert copy["status"]["powerState"] == "off"

    # an arm server cannot boot an amd64 image: the instance says why
    make_disk(service, "boot-arm", sourceImageRef={"resource": "images/img-snap"})
    make_instance(service, "vm-arm", "boot-arm", sku="cax11")
    service.drain()
    arm = service.get(f"{COMPUTE}/vm-arm").json()
    assert arm["status"]["state"] == "error" and arm["status"]["conditions"][0]["reason"] == "ImageNotUsable"
    assert "amd64" in arm["status"]["conditions"][0]["message"]

    # the image outlives the instances and disks it came from; its delete removes the snapshot
    delete_all(service, f"{COMPUTE}/vm-arm", f"{COMPUTE}/vm-copy", f"{COMPUTE}/vm-s", f"{STORAGE}/boot-arm",
               f"{STORAGE}/boot-copy", f"{STORAGE}/boot-s")
    assert service.get(f"{IMAGES}/img-snap").json()["status"]["state"] == "active"
    assert service.delete(f"{IMAGES}/img-snap").status_code == 202
    service.drain()
    assert service.get(f"{IMAGES}/img-snap").status_code == 404
    assert snapshots(service) == []


def stored_disk(name: str) -> Resource:
    found = current().resource_service.repository.get(Key(TENANT, WS, "", "block-storage", name))
    assert found is not None
    return found


def stored_instance(name: str) -> Resource:
    found = current().resource_service.repository.get(Key(TENANT, WS, "", "instance", name))
    assert found is not None
    return found


def test_changing_the_source_takes_a_new_snapshot_and_deletes_the_old(service: Service) -> None:
    for n in ("1", "2"):
        make_disk(service, f"boot-g{n}")
        make_instance(service, f"vm-g{n}", f"boot-g{n}")
    service.drain()
    service.put(f"{IMAGES}/img-gen", image_body("boot-g1"))
    service.drain()
    [first] = snapshots(service)
    updated = service.put(f"{IMAGES}/img-gen", image_body("boot-g2"))
    assert updated.status_code == 200 and updated.json()["status"]["state"] == "updating"
    service.drain()
    got = service.get(f"{IMAGES}/img-gen").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    [second] = snapshots(service)
    assert second["id"] != first["id"] and second["labels"]["secapi.cloud/generation"] == "2"
    assert stored("img-gen").internal["snapshot_id"] == second["id"]
    vm2 = stored_instance("vm-g2").internal["server_id"]
    assert second["created_from"]["id"] == vm2

    # the source server is gone: the block storage is unused again and holds its source image
    delete_all(service, f"{COMPUTE}/vm-g1")
    service.put(f"{IMAGES}/img-gen", image_body("boot-g1"))
    service.drain()
    assert snapshots(service) == []
    assert stored("img-gen").internal["system_image"] == "ubuntu-24.04"
    delete_all(service, f"{IMAGES}/img-gen", f"{COMPUTE}/vm-g2", f"{STORAGE}/boot-g1", f"{STORAGE}/boot-g2")


def test_architecture_known_only_in_the_worker_ends_in_error(service: Service) -> None:
    make_disk(service, "boot-w")
    service.drain()
    make_instance(service, "vm-w", "boot-w")
    assert current().worker.run_once()  # the server is being created; the disk is not its root disk yet …
    assert stored_disk("boot-w").internal.get("placement") is None
    accepted = service.put(f"{IMAGES}/img-w", image_body("boot-w", "arm64"))  # … so admission cannot know
    assert accepted.status_code == 201, accepted.text
    # the instance's next step (following its create action) runs first and places the disk
    current().db.all_sql(f"UPDATE operations SET run_after = now() - interval '1 second' WHERE resource_id = "
                         f"'{stored_instance('vm-w').id}' AND status = 'todo' RETURNING id")
    service.drain()
    got = service.get(f"{IMAGES}/img-w").json()
    assert got["status"]["state"] == "error" and got["status"]["conditions"][0]["reason"] == "ArchitectureMismatch"
    assert "Change cpuArchitecture to amd64" in got["status"]["conditions"][0]["message"]
    assert snapshots(service) == []
    fixed = service.put(f"{IMAGES}/img-w", image_body("boot-w"))
    assert fixed.status_code == 200
    service.drain()
    got = service.get(f"{IMAGES}/img-w").json()
    assert got["status"]["state"] == "active" and len(snapshots(service)) == 1
    delete_all(service, f"{IMAGES}/img-w", f"{COMPUTE}/vm-w", f"{STORAGE}/boot-w")
    assert snapshots(service) == []


def test_a_snapshot_left_by_a_dead_worker_is_adopted(service: Service) -> None:
    make_disk(service, "boot-a")
    make_instance(service, "vm-a", "boot-a")
    service.drain()
    service.put(f"{IMAGES}/img-adopt", image_body("boot-a"))
    resource = stored("img-adopt")
    server_id = stored_instance("vm-a").internal["server_id"]
    hcloud = Client(token=PROJECT, api_endpoint=service.simulator.url, timeout=5, poll_interval=0.05)
    # what a worker that died right after Hetzner accepted its create_image leaves behind
    hcloud.servers.create_image(Server(id=server_id), type="snapshot", description="left behind", labels={
        "secapi.cloud/managed": "true", "secapi.cloud/resource": str(resource.id), "secapi.cloud/kind": "image",
        "secapi.cloud/role": "snapshot", "secapi.cloud/generation": "1"}).action.wait_until_finished()
    # and a stray snapshot of an earlier source (long finished, as an earlier source's would be)
    hcloud.servers.create_image(Server(id=server_id), type="snapshot", description="stray", labels={
        "secapi.cloud/resource": str(resource.id), "secapi.cloud/kind": "image", "secapi.cloud/role": "snapshot",
        "secapi.cloud/generation": "9"}).action.wait_until_finished()
    service.drain()
    [adopted] = snapshots(service)
    assert adopted["description"] == "left behind" and stored("img-adopt").internal["snapshot_id"] == adopted["id"]
    assert service.get(f"{IMAGES}/img-adopt").json()["status"]["state"] == "active"
    delete_all(service, f"{IMAGES}/img-adopt", f"{COMPUTE}/vm-a", f"{STORAGE}/boot-a")
    assert snapshots(service) == []


# -- one collection: system images, then the tenant's ------------------------------------------------------


def test_list_has_system_images_then_tenant_images(service: Service) -> None:
    make_disk(service, "disk-l", "volume")
    for name in ("q-c", "q-a", "q-b"):  # the conformance suite's "3 images from disk 1", without waiting
        assert service.put(f"{IMAGES}/{name}", {**image_body("disk-l"), "labels": {"env": "queries"}}
                           ).status_code == 201
    everything, _ = all_items(service, {})
    names = [item["metadata"]["name"] for item in everything]
    system = [n for n, item in zip(names, everything, strict=True)
              if item["labels"].get("hetzner-kind") == "system-image"]
    assert len(system) > 10 and names == system + ["q-a", "q-b", "q-c"]
    assert system == sorted(system) and len(set(names)) == len(names)
    for item in everything:
        meta = item["metadata"]
        assert meta["kind"] == "image" and meta["tenant"] == TENANT and meta["region"] == "eu-central"
        assert meta["ref"] == f"seca.storage/v1/tenants/{TENANT}/images/{meta['name']}"

    # paging across the seam, with every page size
    for limit in (1, 2, 5, len(system) - 1, len(system), len(system) + 1, len(system) + 3, 1000):
        paged, tokens = all_items(service, {"limit": limit})
        assert [item["metadata"]["name"] for item in paged] == names, limit
        assert all(len(token) <= 5 for token in tokens)
        assert len(tokens) == -(-len(names) // limit) - 1, limit

    only_ours, _ = all_items(service, {"labels": "env=queries", "limit": 2})
    assert [item["metadata"]["name"] for item in only_ours] == ["q-a", "q-b", "q-c"]
    only_system, _ = all_items(service, {"labels": "hetzner-kind=system-image", "limit": 3})
    assert [item["metadata"]["name"] for item in only_system] == system

    service.drain()
    assert service.delete(f"{IMAGES}/q-b").status_code == 202
    # tombstones of the images the other tests of this module deleted are listed too
    deleted, _ = all_items(service, {}, headers={"Accept": "application/json; deleted=only"})
    deleted_names = [item["metadata"]["name"] for item in deleted]
    assert "q-b" in deleted_names and not {"q-a", "q-c"} & set(deleted_names) and not set(system) & set(deleted_names)
    assert all("deletedAt" in item["metadata"] for item in deleted)
    included, _ = all_items(service, {"limit": 4}, headers={"Accept": "application/json; deleted=true"})
    included_names = [item["metadata"]["name"] for item in included]
    assert included_names[:len(system)] == system
    assert [n for n in included_names if n.startswith("q-")] == ["q-a", "q-b", "q-c"]
    live, _ = all_items(service, {})
    assert [item["metadata"]["name"] for item in live] == system + ["q-a", "q-c"]
    service.drain()
    bad = service.get(IMAGES, params={"skipToken": "zz!"})
    assert bad.status_code == 400
    delete_all(service, f"{IMAGES}/q-a", f"{IMAGES}/q-c", f"{STORAGE}/disk-l")


def test_admission_refuses_an_architecture_hetzner_does_not_build() -> None:
    """No simulated system image lacks an arm build, so admission meets a catalog that has one."""
    workspace = Resource(uuid4(), Key(TENANT, "", "", "workspace", "w"), "eu-central", "seca.workspace", None, None,
                         None, {}, {"state": "active"}, 1, NOW, NOW, None, None, {})
    disk = Resource(uuid4(), Key(TENANT, "w", "", "block-storage", "d"), "eu-central", "seca.storage", None, None,
                    None, {"sizeGB": 20, "skuRef": {"resource": "skus/local-nvme"},
                          "sourceImageRef": {"resource": "images/x86-only"}}, {"state": "active"}, 1,
                    NOW, NOW, None, None, {})
    found = {workspace.key: workspace, disk.key: disk}
    resources = SimpleNamespace(get=lambda key, *args, **kwargs: found.get(key))
    catalog = SimpleNamespace(system_images=lambda tenant, region: [SimpleNamespace(name="x86-only")])
    spec = {"blockStorageRef": {"resource": "block-storages/d", "workspace": "w"}, "cpuArchitecture": "amd64"}
    assert admit(Admission(TENANT, "", "", "eu-central", "img", spec, None, resources, catalog)) == {}  # type: ignore[arg-type]
    with pytest.raises(PreconditionFailed, match="no arm64 build"):
        admit(Admission(TENANT, "", "", "eu-central", "img", {**spec, "cpuArchitecture": "arm64"}, None,
                        resources, catalog))  # type: ignore[arg-type]
