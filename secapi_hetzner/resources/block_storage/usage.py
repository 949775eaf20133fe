"""The block-storage kind's API for the kinds that use block storages (instances, images).

Placement (docs/compatibility.md): a block storage is placed on first use. Used as an instance's boot
volume it becomes that server's root disk; used as a data volume it becomes a Hetzner volume in the
instance's location. Only this module writes a block storage's placement, status and record.
"""

from __future__ import annotations

from secapi_hetzner.engine.context import KIND, MANAGED, RESOURCE, ROLE, StepContext, hetzner_name
from secapi_hetzner.resources.block_storage.model import BlockStorageRecord, BlockStorageSpec, Placement
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
    """``name`` is the root disk of ``instance``'s server, in ``location``, of ``disk_gb``."""
    storage = find(ctx, name)
    if storage is not None:
        _attached(ctx, storage, instance, disk_gb, placement=str(Placement.ROOT_DISK), location=location,
                  volume_id=None)


def volume_for(ctx: StepContext, name: str, location: str) -> int | None:
    """The Hetzner volume of data volume ``name``: recorded, adopted by its labels, or created in
    ``location``. None when the block storage is gone."""
    storage = find(ctx, name)
    if storage is None:
        return None
    record = record_of(storage)
    if record.volume_id:
        return record.volume_id
    found = ctx.gateway.find_volumes(f"{RESOURCE}={storage.id},{ROLE}=volume")
    if found:
        volume_id = found[0].id
    else:
        labels = {MANAGED: "true", RESOURCE: str(storage.id), KIND: KIND_NAME, ROLE: "volume"}
        volume_id = ctx.gateway.create_volume(name=hetzner_name(name, str(storage.id)),
                                              size=BlockStorageSpec.parse(storage.spec).size_gb,
                                              location=location, labels=labels).obj.id
    ctx.update_other(storage.id, BlockStorageRecord,
                     internal={"placement": str(Placement.VOLUME), "volume_id": volume_id, "location": location})
    return volume_id


def attached_as_volume(ctx: StepContext, name: str, instance: str, location: str, size_gb: int) -> None:
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
            record.update(placement=None, location=None)
        ctx.update_other(storage.id, BlockStorageRecord, status={"attachedTo": None}, internal=record,
                         deleting_too=True)
