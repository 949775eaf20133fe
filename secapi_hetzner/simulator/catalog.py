"""The catalog every project shares, rendered once in API shape from :mod:`catalog_data`."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from . import catalog_data as data

Record = dict[str, Any]
EUR_VAT: Final = 1.19
TB: Final = 1024**4


def _price(amount: float) -> dict[str, str]:
    return {"net": f"{amount:.10f}", "gross": f"{amount * EUR_VAT:.10f}"}


def _location(row: data.LocationRow) -> Record:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "country": row.country,
        "city": row.city,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "network_zone": row.network_zone,
    }


def _deprecation(pair: tuple[str, str] | None) -> dict[str, str] | None:
    if pair is None:
        return None
    return {"announced": f"{pair[0]}T00:00:00+00:00", "unavailable_after": f"{pair[1]}T00:00:00+00:00"}


def _server_type(row: data.TypeRow, locations: dict[str, data.LocationRow]) -> Record:
    offers, prices = [], []
    for name in row.locations:
        loc = locations[name]
        deprecation = data.DEPRECATED_OFFERS.get((row.name, name))
        retired = deprecation is not None and deprecation[1] <= datetime.now(UTC).date().isoformat()
        available = (row.name, name) not in data.SOLD_OUT and not retired
        offers.append(
            {
                "id": loc.id,
                "name": name,
                "deprecation": _deprecation(deprecation),
                "available": available,
                "recommended": available and deprecation is None and name in row.recommended_in,
            }
        )
        monthly = round(row.monthly_eur * loc.price_factor, 2)
        prices.append(
            {
                "location": name,
                "price_hourly": _price(round(monthly / 720, 4)),
                "price_monthly": _price(monthly),
                "included_traffic": int(loc.included_tb * TB),
                "price_per_tb_traffic": _price(loc.price_per_tb),
            }
        )
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "category": row.category,
        "cores": row.cores,
        "memory": row.memory,
        "disk": row.disk,
        "prices": prices,
        "storage_type": "local",
        "cpu_type": row.cpu_type,
        "architecture": row.architecture,
        "deprecated": False,
        "deprecation": None,
        "locations": offers,
    }


def _images(row: data.ImageRow) -> Iterable[Record]:
    for architecture, image_id in (("x86", row.x86_id), ("arm", row.arm_id)):
        yield {
            "id": image_id,
            "type": "system",
            "status": "available",
            "name": row.name,
            "description": row.description,
            "image_size": None,
            "disk_size": data.SYSTEM_IMAGE_DISK_GB,
            "created": f"{row.created}T00:00:00+00:00",
            "created_from": None,
            "bound_to": None,
            "os_flavor": row.os_flavor,
            "os_version": row.os_version,
            "architecture": architecture,
            "rapid_deploy": row.rapid_deploy,
            "protection": {"delete": False},
            "deprecation": _deprecation((row.deprecated, row.unavailable_after) if row.deprecated else None),
            "deleted": None,
            "labels": {},
        }


def _find(records: Iterable[Record], ident: object) -> Record | None:
    if isinstance(ident, str) and ident.isdigit():
        ident = int(ident)
    key = "id" if isinstance(ident, int) and not isinstance(ident, bool) else "name"
    return next((r for r in records if r[key] == ident), None)


class Catalog:
    """Read-only lookups over locations, server types and system images."""

    def __init__(self) -> None:
        rows = {row.name: row for row in data.LOCATIONS}
        self.locations: tuple[Record, ...] = tuple(_location(row) for row in data.LOCATIONS)
        self.server_types: tuple[Record, ...] = tuple(_server_type(r, rows) for r in data.SERVER_TYPES)
        self.images: tuple[Record, ...] = tuple(i for row in data.SYSTEM_IMAGES for i in _images(row))

    def location(self, ident: object) -> Record | None:
        return _find(self.locations, ident)

    def server_type(self, ident: object) -> Record | None:
        return _find(self.server_types, ident)

    def image(self, ident: object, architecture: str | None = None) -> Record | None:
        candidates = [i for i in self.images if architecture is None or i["architecture"] == architecture]
        return _find(candidates, ident)

    def offer(self, server_type: Record, location: str) -> Record | None:
        """The server type's entry for a location, or None when it is not sold there."""
        return next((o for o in server_type["locations"] if o["name"] == location), None)


CATALOG: Final = Catalog()


def render(record: Record) -> Record:
    """A copy safe to hand out."""
    return copy.deepcopy(record)


def location_object(name: str) -> Record:
    """The rendered location an object sits in."""
    found = CATALOG.location(name)
    if found is None:
        raise KeyError(name)
    return render(found)
