"""The image kind: the tenant's own images (admission), and the one image collection a tenant sees:
the catalog's read-only system images followed by the tenant's images (docs/compatibility.md, Images).
"""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.block_storage import usage as block_storages
from secapi_hetzner.resources.block_storage.model import BlockStorageSpec, Placement
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.catalog.service import CatalogItem
from secapi_hetzner.resources.image import translate
from secapi_hetzner.resources.image.model import ImageRecord, ImageSpec
from secapi_hetzner.resources.image.reconcile import ImageReconciler
from secapi_hetzner.resources.instance import usage as instances
from secapi_hetzner.resources.kinds import DeleteCheck, Kind
from secapi_hetzner.scope import STORAGE
from secapi_hetzner.store.repository import Key, Resource

FIELD, POINTER = "spec.blockStorageRef", "/spec/blockStorageRef"
READ_ONLY = "System images are read-only"


def _refuse(detail: str) -> errors.PreconditionFailed:
    return errors.PreconditionFailed(detail, pointer=POINTER)


def admit(request: Admission) -> dict[str, Any]:
    if request.old is None and is_system_image(request.catalog, request.tenant, request.region, request.name):
        raise errors.PreconditionFailed(f"{READ_ONLY}: {request.name!r} is a system image; choose another name.")
    spec = ImageSpec.parse(request.spec)
    target = spec.block_storage.expect("block-storages", FIELD, tenant=request.tenant)
    if target.provider not in (None, STORAGE.provider.split("/")[0]):
        raise _refuse(f"{FIELD} must reference a block storage of seca.storage, not of {target.provider}.")
    region = target.region
    if region and region != request.region:
        raise _refuse(f"{FIELD} references a block storage in region {region!r}; this image is in "
                      f"{request.region!r}.")
    if not target.workspace:
        raise _refuse(f"{FIELD} must name the block storage's workspace "
                      f"(seca.storage/v1/tenants/{request.tenant}/workspaces/<workspace>/block-storages/<name>).")
    workspace = request.repository.get(Key(request.tenant, "", "", "workspace", target.workspace))
    if workspace is None or workspace.deleted_at is not None:
        raise _refuse(f"{FIELD} references workspace {target.workspace!r}, which does not exist.")
    storage = request.existing("block-storage", target.name, "blockStorageRef", workspace=target.workspace)
    if storage.region and storage.region != request.region:
        raise _refuse(f"{FIELD}: block storage {target.name!r} is in region {storage.region!r}; this image is in "
                      f"{request.region!r}.")
    source = translate.source_of(spec)
    if request.old is None or translate.source_of(ImageSpec.parse(request.old.spec)) != source:
        _check_source(request, storage, source)
    return {}


def _check_source(request: Admission, storage: Resource, source: translate.Source) -> None:
    """What can be known now about taking the image; the worker checks again when it takes it."""
    placed = block_storages.record_of(storage)
    if placed.placement == Placement.VOLUME:
        raise _refuse(f"Block storage {source.label!r} is a Hetzner volume; Hetzner can snapshot a server's root "
                      "disk only, not a volume. Use a block storage an instance boots from.")
    if placed.placement == Placement.ROOT_DISK:
        instance = request.repository.get(Key(request.tenant, source.workspace, "", "instance",
                                              str(placed.instance)))
        if instance is None:
            return
        sku = instances.server_type_of(instance)
        server_type = next((st for st in request.catalog.cache.get().server_types if st.name == sku), None)
        if server_type is not None and translate.seca_architecture(server_type.architecture) != source.architecture:
            raise errors.PreconditionFailed(
                f"spec.cpuArchitecture: block storage {source.label!r} is the root disk of instance "
                f"{instance.key.name!r} ({sku}, {translate.seca_architecture(server_type.architecture)}); "
                f"an image of it cannot be {source.architecture}.", pointer="/spec/cpuArchitecture")
        return
    source_image = _source_image(storage)
    own = request.repository.get(Key(request.tenant, "", "", "image", source_image))
    if own is not None and own.deleted_at is None:
        raise _refuse(f"Block storage {source.label!r} has not been used by any instance yet, so it holds exactly "
                      f"image {source_image!r}, one of your own images: use that image instead.")
    build = translate.system_build(source_image, source.architecture)
    if not is_system_image(request.catalog, request.tenant, request.region, build):
        raise errors.PreconditionFailed(
            f"spec.cpuArchitecture: block storage {source.label!r} has not been used by any instance yet, so it "
            f"holds system image {source_image!r}, which has no {source.architecture} build.",
            pointer="/spec/cpuArchitecture")


def _source_image(storage: Resource) -> str:
    source = BlockStorageSpec.parse(storage.spec).source_image
    return source.name if source is not None else translate.DEFAULT_IMAGE


class ImageKind(Kind):
    api = STORAGE
    kind = "image"
    collection = "images"
    scope = "tenant"
    record = ImageRecord
    reconciler = ImageReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        return admit(request)

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        """An image a block storage of the tenant is made from (``sourceImageRef``) is not deleted: 412.
        Such a block storage is created from the image again whenever an instance boots from it anew."""
        users = [r for r in check.referencing_anywhere("block-storage", f'images/{resource.key.name}"')
                 if r.key.tenant == resource.key.tenant]
        if users:
            raise errors.PreconditionFailed(
                f"Image {resource.key.name!r} is the source image of block storage "
                f"{users[0].key.workspace}/{users[0].key.name}; delete or change the block storage first.")


IMAGE = ImageKind()


def is_system_image(catalog: Catalog, tenant: str, region: str, name: str) -> bool:
    return system_image(catalog, tenant, region, name) is not None


def system_image(catalog: Catalog, tenant: str, region: str, name: str) -> CatalogItem | None:
    return next((item for item in catalog.system_images(tenant, region) if item.name == name), None)
