"""Worker steps for public IPs: create the Hetzner primary IP (recorded before anything else, adopted by
its labels when a create answer was lost) where the instance that binds it needs it, move it there
(delete and create: a new address) when it was made elsewhere and is free, report its address, wake the
instances waiting for it, delete it (waiting while Hetzner still has it assigned to a server)."""

from __future__ import annotations

import enum

from secapi_hetzner.engine.context import StepContext, hetzner_name
from secapi_hetzner.engine.follow import follow, resume
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.owned import remove_owned
from secapi_hetzner.hetzner import HAction, HetznerNotFound, HetznerRejected
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.catalog import translate as catalog
from secapi_hetzner.resources.nic import usage as nics
from secapi_hetzner.resources.public_ip.model import PublicIpRecord, PublicIpSpec
from secapi_hetzner.store.repository import Resource


class Step(enum.StrEnum):
    CREATE = "create-primary-ip"


def placement(ctx: StepContext) -> str | None:
    """The location a new primary IP goes to: where an instance binding it needs it, else the region's first
    zone (lowest Hetzner id), as recorded."""
    record = PublicIpRecord.from_json(ctx.resource.internal)
    if record.wanted_location:
        return record.wanted_location
    if record.location:
        return record.location
    zone = _carrier_zone(ctx)
    if zone:
        ctx.update(internal={"location": zone})
        return zone
    zones = catalog.region_zones(ctx.gateway.list_locations(), ctx.resource.region)
    if not zones:
        return None
    ctx.update(internal={"location": zones[0]})
    return zones[0]


def _instances_binding(ctx: StepContext) -> list[Resource]:
    """The live instances carrying a NIC that names this public IP."""
    key = ctx.resource.key
    found: dict[str, Resource] = {}
    for nic in nics.nics_using(ctx.repository, key.tenant, key.workspace, "public-ips", key.name):
        for instance in nics.instances_using(ctx.repository, key.tenant, key.workspace, nic.key.name):
            found[instance.key.name] = instance
    return list(found.values())


def _carrier_zone(ctx: StepContext) -> str | None:
    """The zone of an instance already carrying a NIC that names this public IP (no Hetzner call)."""
    for instance in _instances_binding(ctx):
        zone = instance.spec.get("zone")
        if isinstance(zone, str) and zone:
            return zone
    return None


def _wake_instances(ctx: StepContext) -> None:
    instances = _instances_binding(ctx)
    with ctx.db.transaction() as conn:
        for instance in instances:
            ctx.queue.enqueue(conn, instance.id, "apply")


class PublicIpReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        recheck = ctx.after_error()
        ctx.update(event=Event.PROVISIONING)
        resumed = resume(ctx)
        if isinstance(resumed, Outcome):
            return resumed
        spec = PublicIpSpec.parse(ctx.resource.spec)
        record = PublicIpRecord.from_json(ctx.resource.internal)
        if not record.primary_ip_id and record.create_attempts != 0:
            found = ctx.gateway.find_primary_ips(ctx.selector())  # a create whose answer was lost
            if found:
                ctx.update(internal={"primary_ip_id": found[0].id, "ip": found[0].ip, "location": found[0].location})
                record = PublicIpRecord.from_json(ctx.resource.internal)
        if record.primary_ip_id and record.wanted_location and record.location != record.wanted_location:
            moved = self._leave_location(ctx, record)
            if moved is not None:
                return moved
            record = PublicIpRecord.from_json(ctx.resource.internal)
        made = not record.primary_ip_id
        if not record.primary_ip_id:
            location = placement(ctx)
            if location is None:
                return Outcome.failed("NoLocation", f"Region {ctx.resource.region!r} has no Hetzner location.")

            def start() -> HAction | None:
                ctx.update(internal={"create_attempts": (record.create_attempts or 0) + 1})
                created = ctx.gateway.create_primary_ip(
                    name=hetzner_name(ctx.resource.key.name, str(ctx.resource.id)), type=spec.family,
                    location=location, labels=ctx.ownership_labels())
                ctx.update(internal={"primary_ip_id": created.obj.id, "ip": created.obj.ip, "location": location})
                return created.action

            waiting = follow(ctx, Step.CREATE, start)
            if waiting is not None:
                return waiting
        elif recheck and not isinstance(resumed, HAction):  # after an error: is it still there?
            try:
                found_ip = ctx.gateway.get_primary_ip(record.primary_ip_id)
            except HetznerNotFound:  # deleted outside: a new one (with a new address) takes its place
                ctx.update(internal={"primary_ip_id": None, "ip": None, "replaced": record.ip or "?"})
                return self.apply(ctx)
        # an update changes nothing on Hetzner (the requested address is never honoured): no call
            ctx.update(internal={"ip": found_ip.ip})
        record = PublicIpRecord.from_json(ctx.resource.internal)
        ctx.update(status={"ipAddress": record.ip}, event=Event.PROVISIONED)
        if record.replaced:
            ctx.update(internal={"replaced": None})
            ctx.waiting_on("Recreated", f"The Hetzner primary IP with address {record.replaced} was deleted outside "
                                        f"secapi-hetzner; a new one was created, with address {record.ip}.")
        elif record.moved_from:
            ctx.update(internal={"moved_from": None})
            ctx.waiting_on("Moved", f"Moved to {record.location} for the instance that binds it (a Hetzner primary "
                                    f"IP serves servers of its location only): {record.moved_from} was released, the "
                                    f"address is now {record.ip}.")
        else:
            ctx.clear_note()
        if made or isinstance(resumed, HAction):
            _wake_instances(ctx)  # instances waiting for it carry on at once
        return Outcome.done()

    @staticmethod
    def _leave_location(ctx: StepContext, record: PublicIpRecord) -> Outcome | None:
        """Delete the primary IP in the old location (unless a server still holds it: then wait) so that one
        is made where it is needed."""
        assert record.primary_ip_id is not None
        try:
            held = ctx.gateway.get_primary_ip(record.primary_ip_id).assignee_id
        except HetznerNotFound:
            held = None
        if held is not None:
            return ctx.wait(f"Hetzner primary IP {record.primary_ip_id} is still assigned to server {held} in "
                            f"{record.location}", reason="InUse")
        ctx.update(internal={"moved_from": f"{record.ip} ({record.location})"})
        try:
            ctx.gateway.delete_primary_ip(record.primary_ip_id)
        except HetznerNotFound:
            pass
        ctx.update(internal={"primary_ip_id": None, "ip": None, "location": None, "create_attempts": 0})
        return None

    def delete(self, ctx: StepContext) -> Outcome:
        record = PublicIpRecord.from_json(ctx.resource.internal)
        try:
            remove_owned(ctx, record.primary_ip_id, record.create_attempts, delete=ctx.gateway.delete_primary_ip,
                         find=ctx.gateway.find_primary_ips)
        except HetznerRejected as exc:  # still assigned: the instance that held it is releasing it
            return ctx.wait(f"Hetzner primary IP {record.primary_ip_id} is still assigned ({exc})", reason="InUse")
        ctx.purge()
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Public IPs have no action {action!r}.")
