"""The route-table kind's API for the kinds whose behaviour follows routes (instances behind an internet
gateway get public interfaces)."""

from __future__ import annotations

import ipaddress

from secapi_hetzner.resources.route_table.model import RouteTableSpec
from secapi_hetzner.store.repository import Key, ResourceRepository

KIND_NAME = "routing-table"
DEFAULT_ROUTE = ipaddress.ip_network("0.0.0.0/0")


def internet_gateway_behind(repository: ResourceRepository, tenant: str, workspace: str, network: str,
                            table: str) -> str | None:
    """The internet gateway table ``table`` of ``network`` sends ``0.0.0.0/0`` to, when both exist."""
    found = repository.get(Key(tenant, workspace, network, KIND_NAME, table))
    if found is None or found.deleted_at is not None:
        return None
    for route in RouteTableSpec.parse(found.spec).routes:
        if route.destination == DEFAULT_ROUTE and route.target.collection == "internet-gateways":
            gateway = repository.get(Key(tenant, workspace, "", "internet-gateway", route.target.name))
            if gateway is not None and gateway.deleted_at is None:
                return route.target.name
    return None
