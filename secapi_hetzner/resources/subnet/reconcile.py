"""Worker steps for subnets: a ``cloud`` subnet of the network's Hetzner network, in the network zone of
the region. Two SECA subnets with the same block share one Hetzner subnet (the last one deleted removes it)."""

from __future__ import annotations

import enum

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.follow import follow
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.hetzner import HAction, HetznerNotFound, HetznerRejected
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.network import usage as networks
from secapi_hetzner.resources.subnet.model import SubnetRecord, SubnetSpec
from secapi_hetzner.store.repository import Key


class Step(enum.StrEnum):
    ADD_SUBNET = "add-subnet"        # target: the block
    DELETE_SUBNET = "delete-subnet"  # target: the block


class SubnetReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        parent = networks.parent_network(ctx)
        if isinstance(parent, Outcome):
            return parent
        network, network_id = parent
        block = str(SubnetSpec.parse(ctx.resource.spec).block(networks.ip_range_of(network)))
        zone = ctx.resource.region  # a region is a Hetzner network zone (resources/catalog)
        ctx.update(internal={"network_id": network_id, "ip_range": block, "network_zone": zone})

        def start() -> HAction | None:
            try:
                present = ctx.gateway.get_network(network_id)
            except HetznerNotFound:
                raise HetznerRejected("network_missing", f"Hetzner network {network_id} no longer exists "
                                                         "(deleted outside secapi-hetzner).") from None
            if any(s.ip_range == block for s in present.subnets):
                return None  # added by an earlier run, or shared with a sibling of the same block
            try:
                return ctx.gateway.add_subnet(network_id, ip_range=block, network_zone=zone)
            except HetznerRejected:
                if any(s.ip_range == block for s in ctx.gateway.get_network(network_id).subnets):
                    return None  # a sibling with the same block added it meanwhile
                raise

        waiting = follow(ctx, Step.ADD_SUBNET, start, target=block)
        if waiting is not None:
            return waiting
        ctx.update(status={"cidr": {"ipv4": block}}, event=Event.PROVISIONED)
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        record = SubnetRecord.from_json(ctx.resource.internal)
        if record.network_id and record.ip_range and not self._shared(ctx, record.ip_range):
            network_id, block = record.network_id, record.ip_range

            def start() -> HAction | None:
                try:
                    present = ctx.gateway.get_network(network_id)
                except HetznerNotFound:
                    return None  # the network went, with its subnets
                if not any(s.ip_range == block for s in present.subnets):
                    return None
                return ctx.gateway.delete_subnet(network_id, block)

            waiting = follow(ctx, Step.DELETE_SUBNET, start, target=block)
            if waiting is not None:
                return waiting
        ctx.purge()
        return Outcome.done()

    @staticmethod
    def _shared(ctx: StepContext, block: str) -> bool:
        """Another live subnet of the network realised by the same Hetzner subnet."""
        key = ctx.resource.key
        siblings = ctx.repository.batch(Key(key.tenant, key.workspace, key.parent, key.kind, ""), after="",
                                        deleted="exclude", size=1000)
        return any(s.id != ctx.resource.id and SubnetRecord.from_json(s.internal).ip_range == block
                   for s in siblings)

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Subnets have no action {action!r}.")
