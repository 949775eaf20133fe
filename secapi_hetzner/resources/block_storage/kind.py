"""The block-storage kind: admission checks (SKU, size limits, grow-only, source image).

Placement (docs/compatibility.md): a SECA block storage has no zone, a Hetzner volume lives in one
location. A block storage is therefore *placed on first use*: used as an instance's boot volume it
becomes that server's root disk (Hetzner cannot boot from volumes); used as a data volume it becomes
a Hetzner volume created in the instance's location. Until then it has no Hetzner object.
"""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.block_storage.reconcile import BlockStorageReconciler
from secapi_hetzner.resources.catalog import translate
from secapi_hetzner.resources.catalog.service import find
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.service import ResourceService
from secapi_hetzner.scope import STORAGE
from secapi_hetzner.store.resources import Resource

VOLUME_MAX_GB = 10240


def admit(request: Admission) -> dict[str, Any]:
    spec = request.spec
    sku_name = request.reference("skuRef", "skus").name
    skus = request.catalog.storage_skus(request.tenant, request.region)
    try:
        sku = find(skus, sku_name, "Storage SKU").body["spec"]
    except errors.NotFound as exc:
        raise errors.PreconditionFailed(f"spec.skuRef: {exc.detail}", pointer="/spec/skuRef") from exc
    size = int(spec["sizeGB"])
    if size < sku["minVolumeSize"]:
        raise errors.PreconditionFailed(f"spec.sizeGB: {sku_name} needs at least {sku['minVolumeSize']} GB.",
                                        pointer="/spec/sizeGB")
    if sku_name == translate.VOLUME_SKU and size > VOLUME_MAX_GB:
        raise errors.PreconditionFailed(f"spec.sizeGB: a Hetzner volume holds at most {VOLUME_MAX_GB} GB.",
                                        pointer="/spec/sizeGB")
    if spec.get("sourceImageRef") is not None:
        image = request.reference("sourceImageRef", "images").name
        if not request.catalog_image_exists(image):
            raise errors.PreconditionFailed(f"spec.sourceImageRef: image {image!r} does not exist.",
                                            pointer="/spec/sourceImageRef")
    old = request.old
    if old is not None:
        if size < int(old.spec.get("sizeGB", 0)):
            raise errors.PreconditionFailed("spec.sizeGB: block storages can grow but not shrink.",
                                            pointer="/spec/sizeGB")
        placed = old.internal.get("placement")
        if placed and old.spec.get("skuRef") != spec.get("skuRef"):
            raise errors.PreconditionFailed(f"spec.skuRef cannot change once the block storage is in use "
                                            f"(it is a {placed}).", pointer="/spec/skuRef")
    return {"sizeGB": size}


def refuse_while_in_use(engine: ResourceService) -> Any:
    """A block storage an instance (not being deleted) boots from or attaches is not deleted: 412."""

    def guard(current: Resource, conn: Any) -> None:
        users = engine.resources.referencing(current.key.tenant, current.key.workspace, "instance",
                                             f'block-storages/{current.key.name}"')
        if users:
            raise errors.PreconditionFailed(f"Block storage {current.key.name!r} is used by instance "
                                            f"{users[0].key.name!r}; delete or change the instance first.")

    return guard


BLOCK_STORAGE = Kind(api=STORAGE, kind="block-storage", collection="block-storages", scope="workspace",
                     admit=admit, reconciler=BlockStorageReconciler())
