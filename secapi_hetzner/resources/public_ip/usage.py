"""The public-IP kind's API for the kinds that bind public IPs (instances, through their NICs)."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.resources.public_ip.model import PublicIpRecord, PublicIpSpec
from secapi_hetzner.store.repository import Resource


def family_of(public_ip: Resource) -> str:
    """``ipv4`` or ``ipv6`` (the Hetzner primary IP type)."""
    return PublicIpSpec.parse(public_ip.spec).family


def primary_ip_id_of(ctx: StepContext, name: str) -> int | None:
    found = ctx.lookup("public-ip", name)
    return PublicIpRecord.from_json(found.internal).primary_ip_id if found is not None else None


def primary_ip_in(ctx: StepContext, public_ip: Resource, location: str) -> int | None:
    """The Hetzner primary IP of ``public_ip`` when it is in ``location`` (a primary IP is assigned only to
    servers of its location); else None, and the public IP is asked to be (re)made there: one not yet
    created is created there, one elsewhere and unassigned is moved (a new address)."""
    record = PublicIpRecord.from_json(public_ip.internal)
    if record.primary_ip_id and record.location == location:
        return record.primary_ip_id
    if record.wanted_location != location:
        ctx.update_other(public_ip.id, PublicIpRecord, internal={"wanted_location": location})
        with ctx.db.transaction() as conn:
            ctx.queue.enqueue(conn, public_ip.id, "apply")
    return None
