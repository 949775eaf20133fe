"""The subnet kind's typed model: spec, internal record. Pure."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.network import translate
from secapi_hetzner.resources.references import Reference


@dataclass(frozen=True)
class SubnetSpec:
    zone: str
    route_table: Reference
    sku: Reference | None
    cidr: Mapping[str, Any]

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> SubnetSpec:
        translate.ipv6_block(spec.get("cidr"))
        return cls(zone=str(spec.get("zone") or ""),
                   route_table=Reference.parse(spec.get("routeTableRef"), "spec.routeTableRef"),
                   sku=Reference.parse_optional(spec.get("skuRef"), "spec.skuRef"), cidr=spec.get("cidr") or {})

    def block(self, network: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        """The Hetzner subnet's ``ip_range`` inside ``network`` (412 naming the field when outside)."""
        return translate.subnet_range(self.cidr, network)


@dataclass(frozen=True)
class SubnetRecord(InternalRecord):
    """``network_id``: the Hetzner network holding the subnet; ``ip_range``: the Hetzner subnet (the key
    Hetzner knows it by); ``network_zone``: where it lives (it spans every location of that zone)."""

    network_id: int | None = None
    ip_range: str | None = None
    network_zone: str | None = None
