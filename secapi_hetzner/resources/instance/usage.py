"""The instance kind's API for the kinds that look at instances (images take snapshots of servers)."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.lifecycle import State
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec
from secapi_hetzner.store.repository import Resource


def server_type_of(instance: Resource) -> str:
    """The Hetzner server type the instance has (or asks for, by SKU name, before it is placed)."""
    sku = InstanceSpec.parse(instance.spec).sku.name
    return InstanceRecord.from_json(instance.internal).server_type_for(sku) or sku


def server_id_of(instance: Resource) -> int | None:
    """The Hetzner server an instance has, once created."""
    return InstanceRecord.from_json(instance.internal).server_id


def being_created_on(ctx: StepContext, storage: Resource) -> Resource | None:
    """The instance whose server is being created with ``storage`` as its root disk (the block storage is
    placed once the create action has ended), if any."""
    users = ctx.repository.referencing(storage.key.tenant, storage.key.workspace, "instance",
                                       f'block-storages/{storage.key.name}"')
    for user in users:
        if (user.deleted_at is None and user.state in (State.PENDING, State.CREATING)
                and InstanceSpec.parse(user.spec).boot_volume.name == storage.key.name):
            return user
    return None


def public_addresses_of(instance: Resource) -> tuple[str, ...]:
    """The public addresses (IPv4, IPv6 /64) its server had when the instance last looked."""
    return InstanceRecord.from_json(instance.internal).public_addresses or ()
