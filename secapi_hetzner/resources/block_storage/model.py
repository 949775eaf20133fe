"""The block-storage kind's typed model: spec, status fields, internal record. Pure."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.references import Reference


class Placement(enum.StrEnum):
    """What a block storage became on Hetzner when first used (docs/compatibility.md)."""

    ROOT_DISK = "root-disk"
    VOLUME = "volume"


@dataclass(frozen=True)
class BlockStorageSpec:
    sku: Reference
    size_gb: int
    source_image: Reference | None = None

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> BlockStorageSpec:
        return cls(sku=Reference.parse(spec.get("skuRef"), "spec.skuRef"), size_gb=int(spec.get("sizeGB", 0)),
                   source_image=Reference.parse_optional(spec.get("sourceImageRef"), "spec.sourceImageRef"))


@dataclass(frozen=True)
class BlockStorageRecord(InternalRecord):
    """``placement``: root disk or volume, once used; ``location``: where it lives; ``volume_id``: the
    Hetzner volume (placement volume); ``instance``: the instance using it."""

    placement: Placement | None = None
    location: str | None = None
    volume_id: int | None = None
    instance: str | None = None
    #: volume creates sent so far (0: none, so there is nothing to look for; None before this was kept)
    create_attempts: int | None = None
    #: the size of the server disk it became (placement root-disk): what Hetzner really has
    disk_gb: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.placement, str) and not isinstance(self.placement, Placement):
            object.__setattr__(self, "placement", Placement(self.placement))

    def to_json(self) -> dict[str, Any]:
        body = super().to_json()
        if self.placement is not None:
            body["placement"] = str(self.placement)
        return body
