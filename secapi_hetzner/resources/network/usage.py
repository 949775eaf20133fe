"""The network kind's API for the kinds inside a network (subnets, route tables)."""

from __future__ import annotations

import ipaddress

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.outcome import Outcome
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


def parent_network(ctx: StepContext) -> tuple[Resource, int] | Outcome:
    """The network the step's resource lives in and its Hetzner network's id; or what the step reports:
    ``failed`` when the network is gone, a wait (saying so on the condition) until Hetzner has it."""
    key = ctx.resource.key
    network = live_network(ctx.repository, key.tenant, key.workspace, key.parent)
    if network is None:
        return Outcome.failed("NetworkMissing", f"Network {key.parent!r} does not exist.")
    network_id = network_id_of(network)
    if not network_id:
        ctx.waiting_on("WaitingForNetwork", f"Waiting for network {key.parent!r} to be created on Hetzner.")
        return ctx.wait(f"waiting for network {key.parent!r}")
    return network, network_id
