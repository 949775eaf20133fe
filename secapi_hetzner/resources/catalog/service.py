"""Catalog reads as SECA resources: regions, SKUs and system images for one tenant and region."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.metadata import modification, sku_metadata
from secapi_hetzner.resources.catalog import tiers, translate
from secapi_hetzner.resources.catalog.cache import CatalogCache
from secapi_hetzner.resources.catalog.translate import NAME_PATTERN
from secapi_hetzner.scope import COMPUTE, NETWORK, REGION, STORAGE, Api


class VersionBook:
    """First-seen time and a version per catalog object, bumped when its content changes."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, int, datetime, datetime]] = {}
        self._lock = threading.Lock()

    def stamp(self, key: str, content: Any) -> dict[str, Any]:
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
        now = datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            old = self._entries.get(key)
            if old is None:
                entry = (digest, 1, now, now)
            elif old[0] != digest:
                entry = (digest, old[1] + 1, old[2], now)
            else:
                entry = old
            self._entries[key] = entry
        return modification(entry[2], entry[3], entry[1])


@dataclass(frozen=True)
class CatalogItem:
    name: str
    body: dict[str, Any]


class Catalog:
    """Read-only catalog resources built from the cached Hetzner snapshot."""

    def __init__(self, cache: CatalogCache, *, default_region: str, base_url: str,
                 regional_apis: Sequence[Api]) -> None:
        self.cache = cache
        self.default_region = default_region
        self.base_url = base_url.rstrip("/")
        self.regional_apis = tuple(regional_apis)
        self.versions = VersionBook()
        #: the compute SKU specs of each region, worked out once per catalog snapshot (not per request)
        self._compute_specs: tuple[object, dict[str, dict[str, Any]]] | None = None

    # -- regions -------------------------------------------------------------------------------------

    def region_views(self) -> list[translate.RegionView]:
        return translate.regions_from_locations(self.cache.get().locations, self.default_region)

    def zones(self, region: str) -> tuple[str, ...]:
        for view in self.region_views():
            if view.name == region:
                return view.zones
        raise errors.NotFound(f"Region {region!r} does not exist.")

    def provider_url(self, region: str, api: Api) -> str:
        return f"{self.base_url}/regions/{region}{api.base_path}"

    def regions(self, verb: str = "GET") -> list[CatalogItem]:
        items = []
        for view in self.region_views():
            spec = {
                "availableZones": list(view.zones),
                "providers": [{"name": api.name, "version": api.version, "url": self.provider_url(view.name, api)}
                              for api in self.regional_apis],
            }
            meta = {"name": view.name, "provider": REGION.provider, "resource": f"regions/{view.name}",
                    "verb": verb, "apiVersion": REGION.version, "kind": "region",
                    "ref": f"{REGION.provider}/regions/{view.name}"}
            meta.update(self.versions.stamp(f"region/{view.name}", spec))
            items.append(CatalogItem(view.name, {"metadata": meta, "spec": spec}))
        return items

    def region(self, name: str) -> CatalogItem:
        return find(self.regions(), name, "Region")

    # -- SKUs and images ------------------------------------------------------------------------------

    def compute_skus(self, tenant: str, region: str) -> list[CatalogItem]:
        """Hetzner's server types offered in the region, and the SECA standard tiers they realise there."""
        zones = self.zones(region)
        specs = self._compute_specs_of(region, zones)
        # the memo is shared by every request: each answer gets its own copy of the bodies
        return [self._sku(COMPUTE, "instance-sku", tenant, region, name, copy.deepcopy(body))
                for name, body in sorted(specs.items())]

    def _compute_specs_of(self, region: str, zones: Sequence[str]) -> dict[str, Any]:
        snapshot = self.cache.get()
        memo = self._compute_specs
        if memo is None or memo[0] is not snapshot:  # a new snapshot: the specs of every region again
            memo = (snapshot, {})
            self._compute_specs = memo
        found = memo[1].get(region)
        if found is None:
            server_types = snapshot.server_types
            found = {st.name: body for st in server_types
                     if (body := translate.compute_sku_spec_from_server_type(st, zones)) is not None}
            found.update(tiers.compute_tier_sku_specs(server_types, zones))
            memo[1][region] = found
        return found

    def storage_skus(self, tenant: str, region: str) -> list[CatalogItem]:
        self.zones(region)
        specs = translate.storage_sku_specs(self.cache.get().server_types)
        return [self._sku(STORAGE, "storage-sku", tenant, region, name, body) for name, body in sorted(specs.items())]

    def network_skus(self, tenant: str, region: str) -> list[CatalogItem]:
        self.zones(region)
        return [self._sku(NETWORK, "network-sku", tenant, region, name, body)
                for name, body in sorted(translate.network_sku_specs().items())]

    def system_images(self, tenant: str, region: str, verb: str = "GET") -> list[CatalogItem]:
        self.zones(region)
        items = []
        for img in self.cache.get().images:
            name = translate.image_name(img)
            if img.deprecated or not NAME_PATTERN.match(name) or len(name) > 128:
                continue
            body = translate.image_from_system_image(img)
            meta = sku_metadata(STORAGE, "image", tenant, region, name, verb)
            meta["resource"] = f"images/{name}"
            meta["ref"] = f"{STORAGE.provider}/tenants/{tenant}/images/{name}"
            meta.update(self.versions.stamp(f"image/{name}", body))
            status = {"state": "active", "conditions": [
                {"state": "active", "lastTransitionAt": meta["createdAt"]}], **body.pop("status")}
            items.append(CatalogItem(name, {**body, "metadata": meta, "status": status}))
        return sorted(items, key=lambda item: item.name)

    @staticmethod
    def _sku(api: Api, kind: str, tenant: str, region: str, name: str, body: dict[str, Any]) -> CatalogItem:
        return CatalogItem(name, {**body, "metadata": sku_metadata(api, kind, tenant, region, name, "GET")})


def find(items: list[CatalogItem], name: str, what: str) -> CatalogItem:
    for item in items:
        if item.name == name:
            return item
    raise errors.NotFound(f"{what} {name!r} does not exist.")
