"""The image kind's typed model: spec and internal record. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.references import Reference


@dataclass(frozen=True)
class ImageSpec:
    block_storage: Reference
    cpu_architecture: str

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> ImageSpec:
        return cls(block_storage=Reference.parse(spec.get("blockStorageRef"), "spec.blockStorageRef"),
                   cpu_architecture=str(spec.get("cpuArchitecture", "")))


@dataclass(frozen=True)
class ImageRecord(InternalRecord):
    """How the image is realised: ``snapshot_id`` (a Hetzner snapshot) or ``system_image`` (a system
    image build); ``source`` the source it was taken from; while a new one is being taken, ``target``
    (its source), ``generation`` (its label) and ``pending_snapshot_id``; ``note`` the condition
    reason and message to show when active."""

    snapshot_id: int | None = None
    system_image: str | None = None
    source: dict[str, str] | None = None
    target: dict[str, str] | None = None
    generation: int | None = None
    pending_snapshot_id: int | None = None
    note: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.note is not None and not isinstance(self.note, tuple):
            reason, message = self.note
            object.__setattr__(self, "note", (str(reason), str(message)))
