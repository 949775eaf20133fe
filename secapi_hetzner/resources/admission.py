"""The request a kind's ``admit`` function checks: what is being written, where, and lookups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.references import Target, expect, parse_reference
from secapi_hetzner.store.resources import Key, Resource, Resources

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
    resources: Resources
    catalog: Catalog

    def reference(self, field: str, collection: str) -> Target:
        value: Any = self.spec
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        target = parse_reference(value, f"spec.{field}")
        expect(target, collection, f"spec.{field}", tenant=self.tenant,
               workspace=self.workspace if collection not in ("skus", "images") else None)
        return target

    def catalog_image_exists(self, name: str) -> bool:
        """A Hetzner system image, or one of the tenant's own images."""
        if any(item.name == name for item in self.catalog.system_images(self.tenant, self.region)):
            return True
        own = self.resources.get(Key(self.tenant, "", "", "image", name))
        return own is not None and own.deleted_at is None

    def existing(self, kind: str, name: str, field: str, *, workspace: str | None = None) -> Resource:
        """A live resource this one refers to, or 412 naming the field."""
        key = Key(self.tenant, self.workspace if workspace is None else workspace, "", kind, name)
        found = self.resources.get(key)
        if found is None or found.deleted_at is not None:
            raise PreconditionFailed(f"spec.{field} references {kind} {name!r}, which does not exist.",
                                     pointer="/spec/" + field.replace(".", "/"))
        return found
