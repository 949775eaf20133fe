"""SECA image ↔ Hetzner snapshot or system image, as pure functions (tested without I/O).

A tenant image is *realised* in one of two ways (docs/compatibility.md, Images):

* a **snapshot** of the server whose root disk is the image's block storage;
* a **system image build**: a block storage no server has used yet holds exactly what it would be
  created from (its ``sourceImageRef``, else the default boot image), so the image boots that
  Hetzner system image's build for the image's ``cpuArchitecture`` and no snapshot is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from secapi_hetzner.hetzner.models import HImage, HSnapshot
from secapi_hetzner.resources.catalog import translate as catalog
from secapi_hetzner.resources.image.model import ImageRecord, ImageSpec

#: The instance kind's default boot image (instance/translate.py ``DEFAULT_IMAGE``; a unit test keeps them equal).
DEFAULT_IMAGE = "ubuntu-24.04"
ARM_SUFFIX = "-arm64"
#: Hetzner architecture → SECA cpuArchitecture (x86 → amd64, arm → arm64)
ARCHITECTURES = catalog.ARCHITECTURES
#: The label that tells the snapshots of successive sources of one image apart (adoption after a crash).
GENERATION = "secapi.cloud/generation"


@dataclass(frozen=True)
class Source:
    """What an image is taken from: a block storage of a workspace, for one CPU architecture."""

    workspace: str
    block_storage: str
    architecture: str  # amd64 | arm64

    def key(self) -> dict[str, str]:
        """The JSON form kept in ``internal["source"]``: a new key means the image must be taken again."""
        return {"workspace": self.workspace, "blockStorage": self.block_storage, "cpuArchitecture": self.architecture}

    @property
    def label(self) -> str:
        return f"{self.workspace}/{self.block_storage}"


def source_of(spec: ImageSpec) -> Source:
    """The source named by an (admitted) image spec."""
    return Source(workspace=spec.block_storage.workspace or "", block_storage=spec.block_storage.name,
                  architecture=spec.cpu_architecture)


def seca_architecture(hetzner_architecture: str) -> str:
    return ARCHITECTURES.get(hetzner_architecture, hetzner_architecture)


def system_build(name: str, architecture: str) -> str:
    """The catalog name of ``name``'s build for a CPU architecture: ``ubuntu-24.04`` + arm64 →
    ``ubuntu-24.04-arm64``; ``ubuntu-24.04-arm64`` + amd64 → ``ubuntu-24.04``. A block storage that no
    server used yet takes the build of whichever server boots it, so its content has no architecture yet."""
    base = name.removesuffix(ARM_SUFFIX)
    return f"{base}{ARM_SUFFIX}" if architecture == "arm64" else base


def size_mb(size_gb: float | None, disk_gb: float) -> int:
    """Hetzner sizes (GB, fractional) → SECA ``sizeMB`` (a positive integer)."""
    return max(1, math.ceil((size_gb or disk_gb) * 1024))


def snapshot_size_mb(snapshot: HSnapshot) -> int:
    return size_mb(snapshot.image_size_gb, snapshot.disk_size_gb)


def system_image_size_mb(image: HImage) -> int:
    return size_mb(image.image_size_gb, image.disk_size_gb)


def find_system_build(images: list[HImage], name: str) -> HImage | None:
    """The live Hetzner system image a catalog name (``debian-12``, ``debian-12-arm64``) stands for."""
    return next((img for img in images if not img.deprecated and catalog.image_name(img) == name), None)


def snapshot_description(image_name: str, source: Source, instance: str) -> str:
    return f"SECA image {image_name}: root disk {source.label} of instance {instance}"[:255]


def snapshot_note(snapshot_id: int, server_id: int, source: Source, instance: str) -> str:
    return (f"Hetzner snapshot {snapshot_id} of server {server_id}, taken from block storage {source.label!r}, "
            f"the root disk of instance {instance!r}.")


def system_build_note(source: Source, source_image: str, build: str, defaulted: bool) -> str:
    origin = "the default boot image" if defaulted else "its sourceImageRef"
    return (f"Block storage {source.label!r} has not been used by any instance yet, so it holds exactly system "
            f"image {source_image!r} ({origin}); this image boots {build!r}, that image's {source.architecture} "
            f"build. No Hetzner snapshot was needed.")


@dataclass(frozen=True)
class BootChoice:
    """What a new server boots for a tenant image: a snapshot id or a system image name, or why it cannot."""

    image: int | str | None
    wait: bool = False  # True: not realised yet, try again later; False with no image: unusable
    message: str = ""


def boot_choice(name: str, spec: ImageSpec, record: ImageRecord, architecture: str, *, deleting: bool = False,
                failure: str | None = None) -> BootChoice:
    """For a server of a Hetzner ``architecture`` (x86, arm), what to boot for the tenant's image ``name``;
    ``failure`` is the image's error message when it could not be taken."""
    if deleting:
        return BootChoice(None, message=f"Image {name!r} is being deleted.")
    wanted = spec.cpu_architecture
    if wanted and wanted != seca_architecture(architecture):
        return BootChoice(None, message=f"Image {name!r} is {wanted}; the server type is "
                                        f"{seca_architecture(architecture)}.")
    if record.snapshot_id:
        return BootChoice(record.snapshot_id)
    if record.system_image:
        build = record.system_image
        return BootChoice(build.removesuffix(ARM_SUFFIX) if architecture == "arm" else build)
    if failure is not None:
        return BootChoice(None, message=f"Image {name!r} could not be taken: {failure}")
    return BootChoice(None, wait=True, message=f"waiting for image {name!r} to be taken")
