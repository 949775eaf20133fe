"""Each kind's typed model: specs parsed once, internal records round-trip through their JSON form,
and an unknown record key is refused (every key a kind writes is declared). No I/O."""

from __future__ import annotations

from typing import Any

import pytest

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.records import InternalRecord, NoRecord, merged
from secapi_hetzner.resources.block_storage.model import BlockStorageRecord, BlockStorageSpec, Placement
from secapi_hetzner.resources.image.model import ImageRecord, ImageSpec
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec, InstanceStatus
from secapi_hetzner.resources.references import Reference

DISK = "seca.storage/v1/tenants/acme/workspaces/ws/block-storages/"


def test_instance_spec() -> None:
    spec = InstanceSpec.parse({
        "skuRef": {"resource": "seca.compute/v1/tenants/acme/skus/cx22"}, "zone": "fsn1",
        "bootVolume": {"deviceRef": {"resource": DISK + "boot"}},
        "dataVolumes": [{"deviceRef": {"resource": DISK + "d1"}}, {"deviceRef": {"resource": "block-storages/d2"}}],
        "userData": "#cloud-config", "sshKeys": ["ssh-ed25519 AAAA"], "antiAffinityGroup": "web"})
    assert spec.sku.name == "cx22" and spec.zone == "fsn1"
    assert spec.storage_names == ("boot", "d1", "d2")
    assert spec.ssh_keys == ("ssh-ed25519 AAAA",) and spec.anti_affinity_group == "web"
    minimal = InstanceSpec.parse({"skuRef": {"resource": "skus/cx22"}, "zone": "nbg1",
                                  "bootVolume": {"deviceRef": {"resource": "block-storages/b"}}})
    assert minimal.data_volumes == () and minimal.user_data is None and minimal.ssh_keys == ()


def test_a_malformed_data_volume_names_its_index() -> None:
    with pytest.raises(PreconditionFailed) as raised:
        InstanceSpec.parse({"skuRef": {"resource": "skus/cx22"}, "zone": "fsn1",
                            "bootVolume": {"deviceRef": {"resource": "block-storages/b"}},
                            "dataVolumes": [{"deviceRef": {"resource": "block-storages/ok"}}, {"deviceRef": {}}]})
    assert raised.value.pointer == "/spec/dataVolumes/1/deviceRef"


def test_block_storage_and_image_specs() -> None:
    storage = BlockStorageSpec.parse({"skuRef": {"resource": "skus/hetzner-volume"}, "sizeGB": 30,
                                      "sourceImageRef": {"resource": "images/debian-12"}})
    assert storage == BlockStorageSpec(Reference("skus", "hetzner-volume"), 30, Reference("images", "debian-12"))
    image = ImageSpec.parse({"blockStorageRef": {"resource": DISK + "boot"}, "cpuArchitecture": "arm64"})
    assert image.block_storage.workspace == "ws" and image.cpu_architecture == "arm64"


RECORDS: list[tuple[type[InternalRecord], dict[str, Any]]] = [
    (InstanceRecord, {"server_id": 42, "location": "fsn1", "power": "on", "shutdown_started": 1764700000.5}),
    (InstanceRecord, {"power": "off"}),
    (BlockStorageRecord, {"placement": "volume", "volume_id": 7, "location": "hel1", "instance": "vm"}),
    (BlockStorageRecord, {"placement": "root-disk", "location": "fsn1", "instance": "vm"}),
    (BlockStorageRecord, {}),
    (ImageRecord, {"snapshot_id": 9, "source": {"workspace": "ws", "blockStorage": "d", "cpuArchitecture": "amd64"},
                   "generation": 3, "note": ["SnapshotTaken", "taken"]}),
    (ImageRecord, {"system_image": "ubuntu-24.04-arm64", "target": {"workspace": "w"}, "pending_snapshot_id": 5}),
    (NoRecord, {}),
]


@pytest.mark.parametrize(("record_type", "stored"), RECORDS)
def test_records_round_trip(record_type: type[InternalRecord], stored: dict[str, Any]) -> None:
    record = record_type.from_json(stored)
    assert record.to_json() == stored
    assert record_type.from_json(record.to_json()) == record


def test_typed_values() -> None:
    assert BlockStorageRecord.from_json({"placement": "volume"}).placement is Placement.VOLUME
    assert ImageRecord.from_json({"note": ["A", "b"]}).note == ("A", "b")
    assert InstanceRecord().power == "off"


@pytest.mark.parametrize("record_type", [InstanceRecord, BlockStorageRecord, ImageRecord, NoRecord])
def test_unknown_keys_are_refused(record_type: type[InternalRecord]) -> None:
    with pytest.raises(ValueError, match="no field"):
        record_type.from_json({"serverid": 1})


def test_merged_applies_changes_and_clears_with_none() -> None:
    current = {"server_id": 42, "location": "fsn1", "power": "on", "shutdown_started": 12.0}
    assert merged(InstanceRecord, current, {"shutdown_started": None, "power": "off"}) == \
        {"server_id": 42, "location": "fsn1", "power": "off"}
    with pytest.raises(ValueError):
        merged(InstanceRecord, current, {"volume_id": 3})


def test_instance_status() -> None:
    assert InstanceStatus("on", "2026-12-02T12:00:00Z").to_json() == {"powerState": "on",
                                                                      "powerStateSince": "2026-12-02T12:00:00Z"}
    assert InstanceStatus("off").to_json() == {"powerState": "off"}
