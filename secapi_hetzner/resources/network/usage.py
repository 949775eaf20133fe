"""The network kind's API for the kinds inside a network (subnets, route tables)."""

from __future__ import annotations

import ipaddress

from secapi_hetzner.resources.network.model import NetworkRecord, NetworkSpec
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository

KIND_NAME = "network"


def live_network(repository: ResourceRepository, tenant: str, workspace: str, name: str) -> Resource | None:
    """The network ``name`` of the workspace, unless it is gone or being deleted."""
    found = repository.get(Key(tenant, workspace, "", KIND_NAME, name))
    return found if found is not None and found.deleted_at is None else None


def ip_range_of(network: Resource) -> ipaddress.IPv4Network:
    return NetworkSpec.parse(network.spec).ip_range


def network_id_of(network: Resource) -> int | None:
    """The Hetzner network, once created (no Hetzner call)."""
    return NetworkRecord.from_json(network.internal).network_id
