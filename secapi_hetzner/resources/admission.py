"""The request a kind's ``admit`` function checks: what is being written, where, and lookups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.references import Reference
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository

if TYPE_CHECKING:
    from secapi_hetzner.resources.catalog import Catalog


@dataclass(frozen=True)
class Admission:
    tenant: str
    workspace: str
    parent: str
    region: str
    name: str
    spec: dict[str, Any]
    old: Resource | None
    repository: ResourceRepository
    catalog: Catalog

    def expect(self, reference: Reference, field: str, collection: str) -> Reference:
        """``reference`` (parsed from ``spec.<field>``), checked to name a ``collection`` item of this
        tenant, and of this workspace unless it is a tenant-wide collection (SKUs, images)."""
        return reference.expect(collection, f"spec.{field}", tenant=self.tenant,
                                workspace=self.workspace if collection not in ("skus", "images") else None)

    def catalog_image_exists(self, name: str) -> bool:
        """A Hetzner system image, or one of the tenant's own images."""
        if any(item.name == name for item in self.catalog.system_images(self.tenant, self.region)):
            return True
        own = self.repository.get(Key(self.tenant, "", "", "image", name))
        return own is not None and own.deleted_at is None

    def existing(self, kind: str, name: str, field: str, *, workspace: str | None = None) -> Resource:
        """A live resource this one refers to, or 412 naming the field."""
        key = Key(self.tenant, self.workspace if workspace is None else workspace, "", kind, name)
        found = self.repository.get(key)
        if found is None or found.deleted_at is not None:
            raise PreconditionFailed(f"spec.{field} references {kind} {name!r}, which does not exist.",
                                     pointer="/spec/" + field.replace(".", "/"))
        return found
