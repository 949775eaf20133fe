"""The route-table kind's typed model: spec, internal record. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.route_table.translate import Route, parse_routes


@dataclass(frozen=True)
class RouteTableSpec:
    routes: tuple[Route, ...]

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> RouteTableSpec:
        return cls(routes=parse_routes(spec.get("routes")))


@dataclass(frozen=True)
class RouteTableRecord(InternalRecord):
    """``network_id``: the Hetzner network the routes are on; ``programmed``: this table's routes Hetzner
    has, as ``destination>gateway`` (see ``translate.key_of``)."""

    network_id: int | None = None
    programmed: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.programmed, list):
            object.__setattr__(self, "programmed", tuple(self.programmed))

    def destinations(self) -> dict[str, str]:
        """Programmed destination → gateway."""
        return dict(item.split(">", 1) for item in self.programmed or ())
