"""Image translators: sources, system image builds, sizes, notes and what a server boots. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.hetzner import HImage, HSnapshot
from secapi_hetzner.resources.image import translate, usage
from secapi_hetzner.resources.image.model import ImageSpec
from secapi_hetzner.resources.instance.translate import DEFAULT_IMAGE
from secapi_hetzner.store.repository import Key, Resource

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DISK = "seca.storage/v1/tenants/acme/workspaces/ws/block-storages/disk"


def image(name: str = "img", *, arch: str = "x86", deprecated: bool = False, size: float | None = 0.6,
          disk: float = 5.0, image_id: int = 1) -> HImage:
    return HImage(image_id, name, "system", name, arch, "ubuntu", "24.04", disk, size, "available", deprecated)


def resource(internal: dict[str, Any], *, arch: str = "amd64", state: str = "active",
             deleted: bool = False, message: str = "") -> Resource:
    conditions = [{"state": state, "lastTransitionAt": "2026-01-01T00:00:00Z", "message": message}]
    return Resource(uuid4(), Key("acme", "", "", "image", "img"), "eu-central", "seca.storage", None, None, None,
                    {"blockStorageRef": {"resource": DISK}, "cpuArchitecture": arch},
                    {"state": state, "conditions": conditions}, 1, NOW, NOW, NOW if deleted else None, None,
                    internal)


def test_source_of_full_reference_and_fields() -> None:
    source = translate.source_of(ImageSpec.parse({"blockStorageRef": {"resource": DISK}, "cpuArchitecture": "arm64"}))
    assert source == translate.Source("ws", "disk", "arm64")
    assert source.key() == {"workspace": "ws", "blockStorage": "disk", "cpuArchitecture": "arm64"}
    assert source.label == "ws/disk"
    by_field = translate.source_of(ImageSpec.parse({
        "blockStorageRef": {"resource": "block-storages/disk", "workspace": "w2"}, "cpuArchitecture": "amd64"}))
    assert by_field == translate.Source("w2", "disk", "amd64")
    assert translate.source_of(ImageSpec.parse({"blockStorageRef": {"resource": "block-storages/d"}})).workspace == ""
    with pytest.raises(PreconditionFailed):
        translate.source_of(ImageSpec.parse({"blockStorageRef": {"resource": "not a reference"}}))


def test_a_new_architecture_is_a_new_source() -> None:
    amd = translate.source_of(ImageSpec.parse({"blockStorageRef": {"resource": DISK}, "cpuArchitecture": "amd64"}))
    arm = translate.source_of(ImageSpec.parse({"blockStorageRef": {"resource": DISK}, "cpuArchitecture": "arm64"}))
    assert amd != arm and amd.key() != arm.key()


@pytest.mark.parametrize(("name", "arch", "build"), [
    ("ubuntu-24.04", "amd64", "ubuntu-24.04"),
    ("ubuntu-24.04", "arm64", "ubuntu-24.04-arm64"),
    ("ubuntu-24.04-arm64", "amd64", "ubuntu-24.04"),
    ("ubuntu-24.04-arm64", "arm64", "ubuntu-24.04-arm64"),
])
def test_system_build(name: str, arch: str, build: str) -> None:
    assert translate.system_build(name, arch) == build


def test_architectures() -> None:
    assert translate.seca_architecture("x86") == "amd64"
    assert translate.seca_architecture("arm") == "arm64"


def test_default_image_is_the_instance_kinds() -> None:
    assert translate.DEFAULT_IMAGE == DEFAULT_IMAGE


def test_sizes_round_up_to_whole_megabytes() -> None:
    assert translate.size_mb(0.6, 5.0) == 615  # 614.4 MB
    assert translate.size_mb(None, 5.0) == 5120  # no image size yet: the disk size
    assert translate.size_mb(0.0, 0.0) == 1  # the spec's minimum
    snapshot = HSnapshot(7, "snapshot", "d", "available", 1.25, 40.0, "x86", 3, (), NOW)
    assert translate.snapshot_size_mb(snapshot) == 1280
    assert translate.system_image_size_mb(image(size=None, disk=2.5)) == 2560


def test_find_system_build_by_catalog_name() -> None:
    images = [image("ubuntu-24.04", image_id=1), image("ubuntu-24.04", arch="arm", image_id=2),
              image("debian-11", deprecated=True, image_id=3)]
    found = translate.find_system_build(images, "ubuntu-24.04-arm64")
    assert found is not None and found.id == 2
    x86 = translate.find_system_build(images, "ubuntu-24.04")
    assert x86 is not None and x86.id == 1
    assert translate.find_system_build(images, "debian-11") is None  # deprecated: not offered
    assert translate.find_system_build(images, "fedora-42") is None


def test_notes_name_what_was_taken() -> None:
    source = translate.Source("ws", "disk", "amd64")
    assert translate.snapshot_note(11, 22, source, "vm") == (
        "Hetzner snapshot 11 of server 22, taken from block storage 'ws/disk', the root disk of instance 'vm'.")
    note = translate.system_build_note(source, "ubuntu-24.04", "ubuntu-24.04", defaulted=True)
    assert "the default boot image" in note and "No Hetzner snapshot" in note and "amd64 build" in note
    assert "its sourceImageRef" in translate.system_build_note(source, "debian-12", "debian-12", defaulted=False)
    assert len(translate.snapshot_description("x" * 300, source, "vm")) == 255


def test_boot_image_snapshot_or_system_build() -> None:
    assert usage.boot_image(resource({"snapshot_id": 42}), "x86") == translate.BootChoice(42)
    assert usage.boot_image(resource({"system_image": "ubuntu-24.04"}), "x86").image == "ubuntu-24.04"
    # Hetzner names arm builds like x86 ones: the catalog's -arm64 suffix goes
    arm = resource({"system_image": "ubuntu-24.04-arm64"}, arch="arm64")
    assert usage.boot_image(arm, "arm").image == "ubuntu-24.04"


def test_boot_image_refusals() -> None:
    mismatch = usage.boot_image(resource({"snapshot_id": 42}), "arm")
    assert mismatch.image is None and not mismatch.wait and "amd64" in mismatch.message
    gone = usage.boot_image(resource({"snapshot_id": 42}, deleted=True), "x86")
    assert gone.image is None and not gone.wait and "being deleted" in gone.message
    failed = usage.boot_image(resource({}, state="error", message="it broke"), "x86")
    assert failed.image is None and not failed.wait and "it broke" in failed.message
    pending = usage.boot_image(resource({}, state="creating"), "x86")
    assert pending.image is None and pending.wait
