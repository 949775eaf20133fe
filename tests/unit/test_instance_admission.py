"""Instance admission against a catalog where a type's deprecation is announced: it stops new
placements only, never an existing instance's updates (issue 7). No I/O: a fake catalog and repository."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.hetzner.models import HLocation, HServerType, HTypeLocation
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.instance import INSTANCE
from secapi_hetzner.store.repository import Key, Resource

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def server_type(name: str, *, deprecated_in: str = "") -> HServerType:
    locations = tuple(HTypeLocation(loc, available=True, deprecated=loc == deprecated_in) for loc in ("fsn1", "nbg1"))
    return HServerType(1, name, name, "shared", 2, 4.0, 40, "local", "shared", "x86", False, locations)


def resource(kind: str, name: str, spec: dict[str, Any]) -> Resource:
    return Resource(uuid4(), Key("acme", "ws", "", kind, name), "eu-central", "seca.x", None, None, None, spec,
                    {"state": "active"}, 1, NOW, NOW, None, None, {})


def spec(sku: str, zone: str = "fsn1", **extra: Any) -> dict[str, Any]:
    return {"skuRef": {"resource": f"skus/{sku}"}, "zone": zone,
            "bootVolume": {"deviceRef": {"resource": "block-storages/boot"}}, **extra}


def admit(new: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    types = [server_type("cx23", deprecated_in="fsn1"), server_type("cx33")]
    locations = [HLocation(i, name, name, "DE", name, "eu-central") for i, name in enumerate(("fsn1", "nbg1"), 1)]
    catalog = SimpleNamespace(zones=lambda region: ["fsn1", "nbg1"], cache=SimpleNamespace(get=lambda: SimpleNamespace(
        server_types=types, locations=locations)))
    boot = resource("block-storage", "boot", {"sizeGB": 20, "skuRef": {"resource": "skus/local-nvme"}})
    repository = SimpleNamespace(get=lambda key, *a, **k: boot if key.kind == "block-storage" else None)
    previous = resource("instance", "vm", old) if old is not None else None
    request = Admission("acme", "ws", "", "eu-central", "vm", new, previous, repository, catalog)  # type: ignore[arg-type]
    return INSTANCE.admit(request)


def test_a_deprecated_type_stops_new_instances() -> None:
    with pytest.raises(PreconditionFailed, match="cx23 is not available in zone fsn1"):
        admit(spec("cx23"))
    assert admit(spec("cx23", zone="nbg1")) == {"powerState": "off"}  # still offered elsewhere


def test_an_existing_instance_of_a_deprecated_type_keeps_being_updated() -> None:
    assert admit(spec("cx23", userData="#cloud-config"), old=spec("cx23")) == {}


def test_moving_onto_a_deprecated_type_or_zone_is_a_new_placement() -> None:
    with pytest.raises(PreconditionFailed):
        admit(spec("cx23"), old=spec("cx33"))
    with pytest.raises(PreconditionFailed):
        admit(spec("cx23", zone="fsn1"), old=spec("cx23", zone="nbg1"))
