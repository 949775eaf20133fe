"""The subnet kind's API for the kinds that place things in subnets (NICs, instances)."""

from __future__ import annotations

import ipaddress

from secapi_hetzner.resources.subnet.model import SubnetRecord, SubnetSpec
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository

KIND_NAME = "subnet"


def live_subnet(repository: ResourceRepository, tenant: str, workspace: str, network: str,
                name: str) -> Resource | None:
    """Subnet ``name`` of network ``network``, unless it is gone or being deleted."""
    found = repository.get(Key(tenant, workspace, network, KIND_NAME, name))
    return found if found is not None and found.deleted_at is None else None


def block_of(subnet: Resource, network_range: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    return SubnetSpec.parse(subnet.spec).block(network_range)


def on_hetzner(subnet: Resource) -> bool:
    """The Hetzner subnet exists (servers of its network zone can take addresses in it)."""
    return SubnetRecord.from_json(subnet.internal).ip_range is not None


def route_table_of(subnet: Resource) -> str:
    return SubnetSpec.parse(subnet.spec).route_table.name
