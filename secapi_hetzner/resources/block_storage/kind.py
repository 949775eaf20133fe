"""The block-storage kind: admission (SKU, size limits, grow-only, source image), the delete refusal
while an instance uses it, and drift (a volume deleted outside the service).

Placement (docs/compatibility.md): a SECA block storage has no zone, a Hetzner volume lives in one
location. A block storage is therefore *placed on first use* (see ``usage``). Until then it has no
Hetzner object.
"""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.engine.observe import Drift, Inventory
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.block_storage.model import BlockStorageRecord, BlockStorageSpec, Placement
from secapi_hetzner.resources.block_storage.reconcile import BlockStorageReconciler
from secapi_hetzner.resources.catalog import translate
from secapi_hetzner.resources.catalog.service import find
from secapi_hetzner.resources.kinds import DeleteCheck, Kind
from secapi_hetzner.scope import STORAGE
from secapi_hetzner.store.repository import Resource

VOLUME_MAX_GB = 10240


class BlockStorageKind(Kind):
    api = STORAGE
    kind = "block-storage"
    collection = "block-storages"
    scope = "workspace"
    observes = frozenset({"volumes"})
    record = BlockStorageRecord
    reconciler = BlockStorageReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = BlockStorageSpec.parse(request.spec)
        sku_name = request.expect(spec.sku, "skuRef", "skus").name
        skus = request.catalog.storage_skus(request.tenant, request.region)
        try:
            sku = find(skus, sku_name, "Storage SKU").body["spec"]
        except errors.NotFound as exc:
            raise errors.PreconditionFailed(f"spec.skuRef: {exc.detail}", pointer="/spec/skuRef") from exc
        size = spec.size_gb
        if size < sku["minVolumeSize"]:
            raise errors.PreconditionFailed(f"spec.sizeGB: {sku_name} needs at least {sku['minVolumeSize']} GB.",
                                            pointer="/spec/sizeGB")
        if sku_name == translate.VOLUME_SKU and size > VOLUME_MAX_GB:
            raise errors.PreconditionFailed(f"spec.sizeGB: a Hetzner volume holds at most {VOLUME_MAX_GB} GB.",
                                            pointer="/spec/sizeGB")
        if spec.source_image is not None:
            image = request.expect(spec.source_image, "sourceImageRef", "images").name
            if not request.catalog_image_exists(image):
                raise errors.PreconditionFailed(f"spec.sourceImageRef: image {image!r} does not exist.",
                                                pointer="/spec/sourceImageRef")
        old = request.old
        if old is not None:
            before = BlockStorageSpec.parse(old.spec)
            if size < before.size_gb:
                raise errors.PreconditionFailed("spec.sizeGB: block storages can grow but not shrink.",
                                                pointer="/spec/sizeGB")
            record = BlockStorageRecord.from_json(old.internal)
            placed = record.placement
            if placed == Placement.ROOT_DISK and record.disk_gb and size > record.disk_gb:
                raise errors.PreconditionFailed(
                    f"spec.sizeGB: block storage {request.name!r} is the root disk of instance {record.instance!r}, "
                    f"whose server type's disk holds {record.disk_gb} GB; change the instance's skuRef to a "
                    "larger type instead.", pointer="/spec/sizeGB")
            if placed and before.sku.name != spec.sku.name:
                raise errors.PreconditionFailed(f"spec.skuRef cannot change once the block storage is in use "
                                                f"(it is a {placed}).", pointer="/spec/skuRef")
        placed_disk = BlockStorageRecord.from_json(old.internal).disk_gb if old is not None else None
        return {"sizeGB": placed_disk or size}

    def initial_record(self) -> dict[str, Any]:
        return BlockStorageRecord(create_attempts=0).to_json()

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        """A block storage an instance (not being deleted) boots from or attaches is not deleted: 412."""
        users = check.referencing(resource.key.tenant, resource.key.workspace, "instance",
                                             f'block-storages/{resource.key.name}"')
        if users:
            raise errors.PreconditionFailed(f"Block storage {resource.key.name!r} is used by instance "
                                            f"{users[0].key.name!r}; delete or change the instance first.")

    def observe(self, resource: Resource, inventory: Inventory) -> Drift | None:
        record = BlockStorageRecord.from_json(resource.internal)
        if record.placement != Placement.VOLUME or not record.volume_id or record.volume_id in inventory.volumes:
            return None
        return Drift("DeletedOutsideService", f"Hetzner volume {record.volume_id} was deleted outside secapi-hetzner.")


BLOCK_STORAGE = BlockStorageKind()
