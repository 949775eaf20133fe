"""Pure route logic: parsing a table's routes, conflicts between the tables of a network, and the plan
that brings a Hetzner network's routes to what its tables ask for.

Hetzner routes are network-wide (destination → gateway address inside the network), SECA route tables
are per subnet: the routes of every table of a network are programmed together, so two tables may not
send one destination to different targets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.network.translate import parse_v4
from secapi_hetzner.resources.references import Reference

#: what a route may send traffic to
TARGETS = ("internet-gateways", "instances")


@dataclass(frozen=True)
class Route:
    destination: ipaddress.IPv4Network
    target: Reference

    @property
    def target_key(self) -> tuple[str, str]:
        return (self.target.collection, self.target.name)

    def describe(self) -> str:
        return f"{self.destination} → {self.target.collection}/{self.target.name}"


def parse_routes(routes: Any) -> tuple[Route, ...]:
    """A table's routes: IPv4 destinations (Hetzner routes are IPv4 only), each once, to an internet
    gateway or an instance; 412 naming the field otherwise."""
    if not isinstance(routes, list) or not routes:
        raise PreconditionFailed("spec.routes: a route table holds at least one route.", pointer="/spec/routes")
    parsed: list[Route] = []
    for index, route in enumerate(routes):
        field = f"spec.routes.{index}"
        if not isinstance(route, Mapping):
            raise PreconditionFailed(f"{field} must be an object.", pointer="/" + field.replace(".", "/"))
        value = route.get("destinationCidrBlock")
        try:
            is_v6 = isinstance(ipaddress.ip_network(str(value), strict=False), ipaddress.IPv6Network)
        except ValueError:
            is_v6 = False
        if is_v6:
            raise PreconditionFailed(f"{field}.destinationCidrBlock: {value} is IPv6; Hetzner network routes are "
                                     "IPv4 only.", pointer=f"/spec/routes/{index}/destinationCidrBlock")
        destination = parse_v4(value, f"{field}.destinationCidrBlock")
        target = Reference.parse(route.get("targetRef"), f"{field}.targetRef")
        if target.collection not in TARGETS:
            raise PreconditionFailed(f"{field}.targetRef must reference an internet gateway or an instance, not "
                                     f"{target.collection}.", pointer=f"/spec/routes/{index}/targetRef")
        twice = next((r for r in parsed if r.destination == destination), None)
        if twice is not None:
            raise PreconditionFailed(f"{field}.destinationCidrBlock: {destination} is routed twice in this table.",
                                     pointer=f"/spec/routes/{index}/destinationCidrBlock")
        parsed.append(Route(destination, target))
    return tuple(parsed)


def conflict(mine: Sequence[Route], others: Iterable[tuple[str, Sequence[Route]]]) -> tuple[Route, str, Route] | None:
    """The first route of ``mine`` whose destination another table (name, routes) sends elsewhere: the
    same destination to the same target is one Hetzner route, to another target a contradiction."""
    for name, routes in others:
        for route in mine:
            for other in routes:
                if other.destination == route.destination and other.target_key != route.target_key:
                    return route, name, other
    return None


def route_plan(current: Iterable[tuple[str, str]], wanted: Iterable[tuple[str, str]]
               ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(routes to delete, routes to add) as (destination, gateway) pairs, deletes first: a destination
    moving to another gateway is deleted before it is added again. Every route of the network is the
    service's (it created the network), so a route no table asks for is deleted."""
    have, want = set(current), set(wanted)
    return sorted(have - want), sorted(want - have)


def key_of(destination: str, gateway: str) -> str:
    """How a programmed route is recorded (and names its step): ``10.9.0.0/16>10.1.1.2``."""
    return f"{destination}>{gateway}"
