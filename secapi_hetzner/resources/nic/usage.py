"""The NIC kind's API for the kinds that use NICs (instances carry them; public IPs and security groups
look at who references them)."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.hetzner import HPrivateNet
from secapi_hetzner.resources.nic.model import NicRecord, NicSpec
from secapi_hetzner.store.repository import Resource, ResourceRepository

KIND_NAME = "nic"


def spec_of(nic: Resource) -> NicSpec:
    return NicSpec.parse(nic.spec)


def record_of(nic: Resource) -> NicRecord:
    return NicRecord.from_json(nic.internal)


def instances_using(repository: ResourceRepository, tenant: str, workspace: str, nic: str) -> list[Resource]:
    """The live instances whose ``primaryNicRef`` or ``additionalNicRefs`` name ``nic``."""
    return [i for i in repository.referencing(tenant, workspace, "instance", f'nics/{nic}"')
            if i.deleted_at is None]


def nics_using(repository: ResourceRepository, tenant: str, workspace: str, collection: str,
               name: str) -> list[Resource]:
    """The live NICs whose spec references ``collection``/``name`` (a public IP, a security group)."""
    return [n for n in repository.referencing(tenant, workspace, KIND_NAME, f'{collection}/{name}"')
            if n.deleted_at is None]


def attached(ctx: StepContext, nic: Resource, *, instance: str, server_id: int, attachment: HPrivateNet,
             public_ips: tuple[str, ...]) -> None:
    """Record what Hetzner shows of the NIC, carried by ``instance`` (its status is read from this)."""
    ctx.update_other(nic.id, NicRecord, internal={
        "instance": instance, "server_id": server_id, "network_id": attachment.network_id, "ip": attachment.ip,
        "alias_ips": list(attachment.alias_ips) or None, "mac": attachment.mac_address or None,
        "public_ips": list(public_ips) or None})


def detached(ctx: StepContext, nic: Resource) -> None:
    """The NIC is carried by no server any more."""
    ctx.update_other(nic.id, NicRecord, internal={name: None for name in NicRecord.__dataclass_fields__},
                     deleting_too=True)


def claim(ctx: StepContext, nic: Resource, instance: str) -> str:
    """Make ``instance`` the NIC's carrier unless a live instance that references it carries it already;
    the carrier afterwards. Atomic (the NIC's row is locked), so two instances admitted at once with one
    NIC cannot both put it on their servers."""
    key = nic.key
    with ctx.db.transaction() as conn:
        current = ctx.repository.get_by_id(nic.id, conn, lock=True)
        if current is None:
            return instance
        holder = NicRecord.from_json(current.internal).instance
        if holder not in (None, instance):
            users = ctx.repository.referencing(key.tenant, key.workspace, "instance", f'nics/{key.name}"', conn)
            if any(u.key.name == holder and u.deleted_at is None for u in users):
                return holder
        if holder != instance:
            internal = NicRecord.from_json(current.internal).changed(instance=instance).to_json()
            ctx.repository.save(conn, current.with_changes(internal=internal))
        return instance
