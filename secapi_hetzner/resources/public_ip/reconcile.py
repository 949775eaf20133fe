"""Worker steps for public IPs: create the Hetzner primary IP (recorded before anything else, adopted by
its labels when a create answer was lost), report its address, delete it."""

from __future__ import annotations

import enum

from secapi_hetzner.engine.context import StepContext, hetzner_name
from secapi_hetzner.engine.follow import follow, resume
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.owned import remove_owned
from secapi_hetzner.hetzner import HAction, HetznerNotFound
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.catalog import translate as catalog
from secapi_hetzner.resources.public_ip.model import PublicIpRecord, PublicIpSpec


class Step(enum.StrEnum):
    CREATE = "create-primary-ip"


def placement(ctx: StepContext) -> str | None:
    """The location a new primary IP goes to: the region's first zone (lowest Hetzner id), as recorded."""
    record = PublicIpRecord.from_json(ctx.resource.internal)
    if record.location:
        return record.location
    zones = catalog.region_zones(ctx.gateway.list_locations(), ctx.resource.region)
    if not zones:
        return None
    ctx.update(internal={"location": zones[0]})
    return zones[0]


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
        if not record.primary_ip_id:
            location = placement(ctx)
            if location is None:
                return Outcome.failed("NoLocation", f"Region {ctx.resource.region!r} has no Hetzner location.")

            def start() -> HAction | None:
                ctx.update(internal={"create_attempts": (record.create_attempts or 0) + 1})
                created = ctx.gateway.create_primary_ip(
                    name=hetzner_name(ctx.resource.key.name, str(ctx.resource.id)), type=spec.family,
                    location=location, labels=ctx.ownership_labels())
                ctx.update(internal={"primary_ip_id": created.obj.id, "ip": created.obj.ip})
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
        else:
            ctx.clear_note()
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        record = PublicIpRecord.from_json(ctx.resource.internal)
        remove_owned(ctx, record.primary_ip_id, record.create_attempts, delete=ctx.gateway.delete_primary_ip,
                     find=ctx.gateway.find_primary_ips)
        ctx.purge()
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Public IPs have no action {action!r}.")
