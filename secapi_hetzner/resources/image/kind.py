"""The image kind: the tenant's own images (admission), and the one image collection a tenant sees:
the catalog's read-only system images followed by the tenant's images (docs/compatibility.md, Images).
"""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.labels import parse_label_filter
from secapi_hetzner.paging import decode_offset, encode_offset
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.catalog.service import CatalogItem
from secapi_hetzner.resources.image import translate
from secapi_hetzner.resources.image.reconcile import ImageReconciler
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.present import present
from secapi_hetzner.resources.references import expect, parse_reference
from secapi_hetzner.resources.service import Place, ResourceService
from secapi_hetzner.scope import STORAGE
from secapi_hetzner.store.resources import CURSOR_LENGTH, Key, Resource

FIELD, POINTER = "spec.blockStorageRef", "/spec/blockStorageRef"
READ_ONLY = "System images are read-only"


def _refuse(detail: str) -> errors.PreconditionFailed:
    return errors.PreconditionFailed(detail, pointer=POINTER)


def admit(request: Admission) -> dict[str, Any]:
    if request.old is None and is_system_image(request.catalog, request.tenant, request.region, request.name):
        raise errors.PreconditionFailed(f"{READ_ONLY}: {request.name!r} is a system image; choose another name.")
    spec = request.spec
    ref = spec.get("blockStorageRef")
    target = parse_reference(ref, FIELD)
    expect(target, "block-storages", FIELD, tenant=request.tenant)
    if target.provider not in (None, STORAGE.provider.split("/")[0]):
        raise _refuse(f"{FIELD} must reference a block storage of seca.storage, not of {target.provider}.")
    region = ref.get("region") if isinstance(ref, dict) else None
    if region and region != request.region:
        raise _refuse(f"{FIELD} references a block storage in region {region!r}; this image is in "
                      f"{request.region!r}.")
    if not target.workspace:
        raise _refuse(f"{FIELD} must name the block storage's workspace "
                      f"(seca.storage/v1/tenants/{request.tenant}/workspaces/<workspace>/block-storages/<name>).")
    workspace = request.resources.get(Key(request.tenant, "", "", "workspace", target.workspace))
    if workspace is None or workspace.deleted_at is not None:
        raise _refuse(f"{FIELD} references workspace {target.workspace!r}, which does not exist.")
    storage = request.existing("block-storage", target.name, "blockStorageRef", workspace=target.workspace)
    if storage.region and storage.region != request.region:
        raise _refuse(f"{FIELD}: block storage {target.name!r} is in region {storage.region!r}; this image is in "
                      f"{request.region!r}.")
    source = translate.source_of(spec)
    if request.old is None or translate.source_of(request.old.spec) != source:
        _check_source(request, storage, source)
    return {}


def _check_source(request: Admission, storage: Resource, source: translate.Source) -> None:
    """What can be known now about taking the image; the worker checks again when it takes it."""
    placement = storage.internal.get("placement")
    if placement == "volume":
        raise _refuse(f"Block storage {source.label!r} is a Hetzner volume; Hetzner can snapshot a server's root "
                      "disk only, not a volume. Use a block storage an instance boots from.")
    if placement == "root-disk":
        instance = request.resources.get(Key(request.tenant, source.workspace, "", "instance",
                                             str(storage.internal.get("instance"))))
        if instance is None:
            return
        sku = parse_reference(instance.spec.get("skuRef"), "spec.skuRef").name
        server_type = next((st for st in request.catalog.cache.get().server_types if st.name == sku), None)
        if server_type is not None and translate.seca_architecture(server_type.architecture) != source.architecture:
            raise errors.PreconditionFailed(
                f"spec.cpuArchitecture: block storage {source.label!r} is the root disk of instance "
                f"{instance.key.name!r} ({sku}, {translate.seca_architecture(server_type.architecture)}); "
                f"an image of it cannot be {source.architecture}.", pointer="/spec/cpuArchitecture")
        return
    source_image = _source_image(storage)
    own = request.resources.get(Key(request.tenant, "", "", "image", source_image))
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
    ref = storage.spec.get("sourceImageRef")
    return parse_reference(ref, "spec.sourceImageRef").name if ref else translate.DEFAULT_IMAGE


IMAGE = Kind(api=STORAGE, kind="image", collection="images", scope="tenant", admit=admit,
             reconciler=ImageReconciler())


# -- the image collection: system images, then the tenant's own -----------------------------------------


def is_system_image(catalog: Catalog, tenant: str, region: str, name: str) -> bool:
    return system_image(catalog, tenant, region, name) is not None


def system_image(catalog: Catalog, tenant: str, region: str, name: str) -> CatalogItem | None:
    return next((item for item in catalog.system_images(tenant, region) if item.name == name), None)


def own_image(engine: ResourceService, where: Place, name: str) -> Resource | None:
    """The tenant's own image of that name (also while it is being deleted): it wins over a system image
    that Hetzner publishes under the same name later."""
    return engine.resources.get(where.key(IMAGE, name))


def get_image(engine: ResourceService, catalog: Catalog, where: Place, name: str) -> dict[str, Any]:
    own = own_image(engine, where, name)
    if own is not None:
        return present(IMAGE, own, "GET")
    item = system_image(catalog, where.tenant, where.region, name)
    if item is None:
        raise errors.NotFound(f"Image {name!r} does not exist.")
    return item.body


def refuse_system_image(engine: ResourceService, catalog: Catalog, where: Place, name: str) -> None:
    """A DELETE of a system image's name (with no own image of that name) is refused: 412."""
    if own_image(engine, where, name) is None and is_system_image(catalog, where.tenant, where.region, name):
        raise errors.PreconditionFailed(f"{READ_ONLY}: {name!r} is a system image and cannot be deleted.")


def refuse_while_used(engine: ResourceService) -> Any:
    """An image a block storage of the tenant is made from (``sourceImageRef``) is not deleted: 412. Such a
    block storage is created from the image again whenever an instance boots from it anew."""

    def guard(current: Resource, conn: Any) -> None:
        users = [r for r in engine.resources.referencing_anywhere("block-storage", f'images/{current.key.name}"')
                 if r.key.tenant == current.key.tenant]
        if users:
            raise errors.PreconditionFailed(
                f"Image {current.key.name!r} is the source image of block storage "
                f"{users[0].key.workspace}/{users[0].key.name}; delete or change the block storage first.")

    return guard


def images_page(engine: ResourceService, catalog: Catalog, where: Place, *, labels: str | None, limit: int,
                skip_token: str | None, deleted: str) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the tenant's image collection: the system images (name order), then the tenant's own
    images (name order). ``skipToken`` is either a base-36 offset into the system images (at most four
    characters) or, once the page reached the tenant's images, the engine's five-character cursor."""
    if skip_token and len(skip_token) == CURSOR_LENGTH:
        own, token = engine.list_page(IMAGE, where, labels=labels, limit=limit, skip_token=skip_token,
                                      deleted=deleted)
        return [present(IMAGE, r, "GET") for r in own], token
    start = decode_offset(skip_token)
    selector = parse_label_filter(labels)
    system = [] if deleted == "only" else [item for item in catalog.system_images(where.tenant, where.region)
                                           if selector.matches(item.body.get("labels") or {})]
    chunk = system[start:start + limit]
    with engine.db.connection() as conn:  # one connection for the shadowing checks of this page
        bodies = [item.body for item in chunk if engine.resources.get(where.key(IMAGE, item.name), conn) is None]
    if start + limit < len(system):
        return bodies, encode_offset(start + limit)
    room = limit - len(chunk)
    if room <= 0:  # the system images end with this page: is there a tenant image to come?
        more, _ = engine.list_page(IMAGE, where, labels=labels, limit=1, skip_token=None, deleted=deleted)
        return bodies, encode_offset(len(system)) if more else None
    own, token = engine.list_page(IMAGE, where, labels=labels, limit=room, skip_token=None, deleted=deleted)
    return bodies + [present(IMAGE, r, "GET") for r in own], token
