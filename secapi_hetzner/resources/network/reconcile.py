"""Worker steps for networks: create the Hetzner network (adopting one whose create answer was lost)
and delete it. Hetzner answers a network create at once, with no action to follow."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext, hetzner_name
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.owned import remove_owned
from secapi_hetzner.hetzner import HetznerNotFound
from secapi_hetzner.hetzner.models import HNetwork
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.network.model import NetworkRecord, NetworkSpec


class NetworkReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        spec = NetworkSpec.parse(ctx.resource.spec)
        record = NetworkRecord.from_json(ctx.resource.internal)
        network: HNetwork
        if record.network_id:
            try:
                network = ctx.gateway.get_network(record.network_id)
            except HetznerNotFound:
                return Outcome.failed("NetworkMissing", f"Hetzner network {record.network_id} no longer exists "
                                                        "(deleted outside secapi-hetzner).")
        else:
            found = ctx.gateway.find_networks(ctx.selector()) if record.create_attempts != 0 else []
            if found:  # created by a worker whose answer was lost
                network = found[0]
            else:
                # counted before it is sent: a lost answer is looked for by its labels next time
                ctx.update(internal={"create_attempts": (record.create_attempts or 0) + 1})
                network = ctx.gateway.create_network(
                    name=hetzner_name(ctx.resource.key.name, str(ctx.resource.id)), ip_range=str(spec.ip_range),
                    labels=ctx.ownership_labels())
            ctx.update(internal={"network_id": network.id})
        ctx.update(status={"cidr": {"ipv4": network.ip_range}}, event=Event.PROVISIONED)
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        """Hetzner deletes the network's subnets and routes with it."""
        record = NetworkRecord.from_json(ctx.resource.internal)
        remove_owned(ctx, record.network_id, record.create_attempts, delete=ctx.gateway.delete_network,
                     find=ctx.gateway.find_networks)
        ctx.purge()
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Networks have no action {action!r}.")
