"""The tenant's image collection: the catalog's read-only system images, then the tenant's own images
(docs/compatibility.md, Images). Reads and the delete of a system image's name are decided here."""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.labels import parse_label_filter
from secapi_hetzner.paging import decode_offset, encode_offset
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.image.kind import IMAGE, READ_ONLY, is_system_image, system_image
from secapi_hetzner.resources.present import present
from secapi_hetzner.services.resources import Place, ResourceService
from secapi_hetzner.store.repository import CURSOR_LENGTH, Resource


def own_image(engine: ResourceService, where: Place, name: str) -> Resource | None:
    """The tenant's own image of that name (also while it is being deleted): it wins over a system image
    that Hetzner publishes under the same name later."""
    return engine.repository.get(where.key(IMAGE, name))


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
        bodies = [item.body for item in chunk if engine.repository.get(where.key(IMAGE, item.name), conn) is None]
    if start + limit < len(system):
        return bodies, encode_offset(start + limit)
    room = limit - len(chunk)
    if room <= 0:  # the system images end with this page: is there a tenant image to come?
        more, _ = engine.list_page(IMAGE, where, labels=labels, limit=1, skip_token=None, deleted=deleted)
        return bodies, encode_offset(len(system)) if more else None
    own, token = engine.list_page(IMAGE, where, labels=labels, limit=room, skip_token=None, deleted=deleted)
    return bodies + [present(IMAGE, r, "GET") for r in own], token
