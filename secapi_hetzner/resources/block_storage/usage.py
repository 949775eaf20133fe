"""The block-storage kind's API for the kinds that use block storages (instances, images).

Placement (docs/compatibility.md): a block storage is placed on first use. Used as an instance's boot
volume it becomes that server's root disk; used as a data volume it becomes a Hetzner volume in the
instance's location. Only this module writes a block storage's placement, status and record.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from secapi_hetzner.engine.context import KIND, MANAGED, RESOURCE, ROLE, StepContext, hetzner_name
from secapi_hetzner.engine.follow import follow, step_key
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.hetzner import HetznerNotFound
from secapi_hetzner.hetzner.models import HAction, HVolume
from secapi_hetzner.resources.block_storage.model import BlockStorageRecord, BlockStorageSpec, Placement
from secapi_hetzner.resources.catalog import translate
from secapi_hetzner.store.repository import Resource

KIND_NAME = "block-storage"


def record_of(storage: Resource) -> BlockStorageRecord:
    return BlockStorageRecord.from_json(storage.internal)


def find(ctx: StepContext, name: str, *, workspace: str | None = None) -> Resource | None:
    """A live block storage of the step's workspace (or another one)."""
    storage = ctx.lookup(KIND_NAME, name, workspace=workspace)
    return storage if storage is not None and storage.deleted_at is None else None


def _attached(ctx: StepContext, storage: Resource, instance: str, size_gb: int | None, **record: object) -> None:
    status: dict[str, object] = {"attachedTo": {"resource": f"instances/{instance}"}}
    if size_gb:
        status["sizeGB"] = max(int(size_gb), BlockStorageSpec.parse(storage.spec).size_gb)
    ctx.update_other(storage.id, BlockStorageRecord, status=status, internal={**record, "instance": instance})


def use_as_root_disk(ctx: StepContext, name: str, instance: str, location: str, disk_gb: int) -> None:
    """``name`` is the root disk of ``instance``'s server, in ``location``, of ``disk_gb``. A block storage
    of the volume SKU says so on its condition: Hetzner boots servers from their local disk only."""
    storage = find(ctx, name)
    if storage is None:
        return
    status: dict[str, object] = {"attachedTo": {"resource": f"instances/{instance}"}, "sizeGB": disk_gb}
    conditions = [dict(c) for c in storage.status.get("conditions") or []]
    if BlockStorageSpec.parse(storage.spec).sku.name == translate.VOLUME_SKU and conditions:
        conditions[0].update(reason="BootsFromLocalDisk", message=(
            f"Used as the boot volume of instance {instance!r}: Hetzner boots servers only from their local "
            f"disk, so this block storage is that server's local disk ({disk_gb} GB in {location}), not a "
            "Hetzner volume."))
        status["conditions"] = conditions
    # its size is the server's disk: status never reports a size Hetzner does not have
    ctx.update_other(storage.id, BlockStorageRecord, status=status,
                     internal={"placement": str(Placement.ROOT_DISK), "location": location, "volume_id": None,
                               "disk_gb": disk_gb, "instance": instance})


class Step(enum.StrEnum):
    CREATE_VOLUME = "create-volume"  # target: the volume id


@dataclass(frozen=True)
class ReadyVolume:
    """What an instance needs of a data volume's Hetzner volume: which it is, where it is attached, its size."""

    id: int
    server_id: int | None
    size: int

    @classmethod
    def of(cls, volume: HVolume) -> ReadyVolume:
        return cls(volume.id, volume.server_id, volume.size)


def volume_for(ctx: StepContext, name: str, location: str) -> ReadyVolume | Outcome | None:
    """The Hetzner volume of data volume ``name``, ready to attach: recorded, adopted by its labels, or
    created in ``location``. Its create action is followed to the end first (an attach before it ends is
    refused as locked); a volume whose create action has just succeeded is known without reading it
    (detached, of the size asked for). An Outcome while waiting, or when the recorded volume is gone;
    None when the block storage is gone."""
    storage = find(ctx, name)
    if storage is None:
        return None
    if ctx.operation.step == step_key(Step.CREATE_VOLUME, name):  # its create action is being followed
        waiting = follow(ctx, Step.CREATE_VOLUME, lambda: None, target=name)
        if waiting is not None:
            return waiting
    record = record_of(storage)
    if not record.volume_id:
        found = ctx.gateway.find_volumes(f"{RESOURCE}={storage.id},{ROLE}=volume") if record.create_attempts != 0 \
            else []  # no create was ever sent: nothing to look for
        if found:  # created by a worker that died before it could record it
            _record_volume(ctx, storage, found[0].id, location)
            return _ready(ctx, found[0])
        labels = {MANAGED: "true", RESOURCE: str(storage.id), KIND: KIND_NAME, ROLE: "volume"}

        def start() -> HAction | None:
            ctx.update_other(storage.id, BlockStorageRecord,
                             internal={"create_attempts": (record.create_attempts or 0) + 1})
            response = ctx.gateway.create_volume(name=hetzner_name(name, str(storage.id)),
                                                 size=BlockStorageSpec.parse(storage.spec).size_gb,
                                                 location=location, labels=labels)
            _record_volume(ctx, storage, response.obj.id, location)
            return response.action

        waiting = follow(ctx, Step.CREATE_VOLUME, start, target=name)
        if waiting is not None:
            return waiting
        record = record_of(find(ctx, name) or storage)
    assert record.volume_id is not None
    if ctx.operation.step == f"{step_key(Step.CREATE_VOLUME, name)}:done":  # created by this operation just now
        return ReadyVolume(record.volume_id, None, BlockStorageSpec.parse(storage.spec).size_gb)
    try:
        return _ready(ctx, ctx.gateway.get_volume(record.volume_id))
    except HetznerNotFound:
        return Outcome.failed("VolumeMissing", f"Hetzner volume {record.volume_id} of block storage {name!r} no "
                                               "longer exists (deleted outside secapi-hetzner).")


def _record_volume(ctx: StepContext, storage: Resource, volume_id: int, location: str) -> None:
    ctx.update_other(storage.id, BlockStorageRecord,
                     internal={"placement": str(Placement.VOLUME), "volume_id": volume_id, "location": location})


def _ready(ctx: StepContext, volume: HVolume) -> ReadyVolume | Outcome:
    if volume.status == "creating":  # adopted while its create action still runs
        return ctx.wait(f"waiting for Hetzner volume {volume.id} to be created")
    return ReadyVolume.of(volume)


def volume_id_of(ctx: StepContext, name: str) -> int | None:
    """The Hetzner volume recorded for ``name`` (no Hetzner call)."""
    storage = find(ctx, name)
    return record_of(storage).volume_id if storage is not None else None


def attached_as_volume(ctx: StepContext, name: str, instance: str, location: str, size_gb: int | None = None) -> None:
    storage = find(ctx, name)
    if storage is not None:
        _attached(ctx, storage, instance, size_gb, location=location)


def release(ctx: StepContext, names: tuple[str, ...], instance: str) -> None:
    """``instance`` no longer uses these block storages (its server is gone): a root disk went with
    the server, so that block storage is unplaced again; a volume stays where it is."""
    for name in names:
        storage = ctx.lookup(KIND_NAME, name)
        if storage is None or record_of(storage).instance != instance:
            continue
        record: dict[str, object] = {"instance": None}
        if record_of(storage).placement == Placement.ROOT_DISK:
            record.update(placement=None, location=None, disk_gb=None)
        ctx.update_other(storage.id, BlockStorageRecord, status={"attachedTo": None}, internal=record,
                         deleting_too=True)
