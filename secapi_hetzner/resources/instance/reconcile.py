"""Worker steps for instances: create (adopting first), converge type, volumes and power, delete.

Every step is idempotent and records what it learned before the next side effect: the server id
is saved before its create action is followed, so a worker killed mid-create is replaced by one
that follows the same server instead of creating a second one; a create whose answer was lost is
adopted by its ownership label.
"""

from __future__ import annotations

import enum
import hashlib
import time
from functools import partial
from typing import Any

from secapi_hetzner.clock import now, rfc3339
from secapi_hetzner.engine.context import MANAGED, ROLE, StepContext, hetzner_name
from secapi_hetzner.engine.follow import follow
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.hetzner import HetznerError, HetznerNotFound, HetznerRejected, HServer
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.block_storage import usage as block_storages
from secapi_hetzner.resources.block_storage.model import BlockStorageSpec
from secapi_hetzner.resources.image import usage as images
from secapi_hetzner.resources.instance import translate
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec, InstanceStatus
from secapi_hetzner.store.repository import Resource

GROUP_LABEL = "secapi.cloud/group"


class Step(enum.StrEnum):
    """The Hetzner actions an instance's steps follow (a target names the type or the volume)."""

    CREATE = "create"
    TYPE_POWEROFF = "type-poweroff"
    CHANGE_TYPE = "change-type"   # target: the new server type
    ATTACH = "attach"             # target: the volume id
    POWERON = "poweron"
    SHUTDOWN = "shutdown"
    POWEROFF = "poweroff"
    REBOOT = "reboot"
    DELETE = "delete"


def _spec(ctx: StepContext) -> InstanceSpec:
    return InstanceSpec.parse(ctx.resource.spec)


def _record(ctx: StepContext) -> InstanceRecord:
    return InstanceRecord.from_json(ctx.resource.internal)


def _group_key(resource: Resource, group: str) -> str:
    text = f"{resource.key.tenant}/{resource.key.workspace}/{group}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class InstanceReconciler:
    # -- apply ---------------------------------------------------------------------------------------

    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        server = self._find_server(ctx)
        if server is None:
            outcome = self._create(ctx)
            if outcome is not None:
                return outcome
            server = self._find_server(ctx)
            if server is None:
                return Outcome.retry(0.5, "waiting for the new server to appear")
        elif ctx.operation.step == Step.CREATE:  # the server exists, its create action is still being followed
            outcome = follow(ctx, Step.CREATE, lambda: None)
            if outcome is not None:
                return outcome
        waiting = self._place_boot_disk(ctx, server) or self._converge_type(ctx, server) \
            or self._attach_volumes(ctx, server) or self._converge_power(ctx)
        if waiting is not None:
            return waiting
        return self._finish(ctx)

    def _find_server(self, ctx: StepContext) -> HServer | None:
        server_id = _record(ctx).server_id
        if server_id:
            try:
                return ctx.gateway.get_server(server_id)
            except HetznerNotFound:
                ctx.update(internal={"server_id": None})
        adopted = ctx.gateway.find_servers(ctx.selector())
        if adopted:
            ctx.update(internal={"server_id": adopted[0].id})
            return adopted[0]
        return None

    def _create(self, ctx: StepContext) -> Outcome | None:
        spec = _spec(ctx)
        request = translate.server_request_from_instance(spec)
        boot = block_storages.find(ctx, spec.boot_volume.name)
        boot_spec = BlockStorageSpec.parse(boot.spec) if boot else None
        image: int | str = translate.image_for(boot_spec, ctx.architecture_of(request.server_type))
        source = boot_spec.source_image.name if boot_spec and boot_spec.source_image else ""
        own = ctx.lookup("image", source, workspace="") if source else None
        if own is not None:  # one of the tenant's own images: its snapshot (docs/compatibility.md, Images)
            choice = images.boot_image(own, ctx.architecture_of(request.server_type))
            if choice.image is None:
                if not choice.wait:
                    return Outcome.failed("ImageNotUsable", choice.message)
                ctx.waiting_on("WaitingForImage", f"Waiting for image {source!r}: {choice.message}")
                return Outcome.retry(1.0, choice.message)
            image = choice.image
        key_ids = tuple(self._ssh_key_id(ctx, key) for key in request.public_keys)
        group_id = self._placement_group(ctx, request.anti_affinity_group) if request.anti_affinity_group else None

        def start() -> Any:
            server, action = ctx.gateway.create_server(
                name=hetzner_name(ctx.resource.key.name, str(ctx.resource.id)), server_type=request.server_type,
                image=image, location=request.location, labels=ctx.ownership_labels(),
                user_data=request.user_data, ssh_key_ids=key_ids, placement_group_id=group_id,
                start_after_create=False)
            ctx.update(internal={"server_id": server.id, "location": request.location})
            return action

        return follow(ctx, Step.CREATE, start)

    def _ssh_key_id(self, ctx: StepContext, public_key: str) -> int:
        fingerprint = translate.ssh_fingerprint(public_key)
        assert fingerprint is not None  # admission checked it
        existing = ctx.gateway.get_ssh_key_by_fingerprint(fingerprint)
        if existing is not None:
            return existing.id
        name = "seca-" + fingerprint.replace(":", "")[:24]
        return ctx.gateway.create_ssh_key(name=name, public_key=public_key,
                                          labels={MANAGED: "true", ROLE: "ssh-key"}).id

    def _placement_group(self, ctx: StepContext, group: str) -> int:
        key = _group_key(ctx.resource, group)
        found = ctx.gateway.find_placement_groups(f"{GROUP_LABEL}={key}")
        if found:
            return found[0].id
        return ctx.gateway.create_placement_group(
            name=f"seca-{key[:16]}", labels={MANAGED: "true", ROLE: "placement-group", GROUP_LABEL: key}).id

    def _place_boot_disk(self, ctx: StepContext, server: HServer) -> Outcome | None:
        block_storages.use_as_root_disk(ctx, _spec(ctx).boot_volume.name, ctx.resource.key.name, server.location,
                                        server.primary_disk_size)
        return None

    def _converge_type(self, ctx: StepContext, server: HServer) -> Outcome | None:
        wanted = _spec(ctx).sku.name
        if server.server_type == wanted:
            return None
        if server.status != "off":
            waiting = follow(ctx, Step.TYPE_POWEROFF, lambda: ctx.gateway.power_off(server.id))
            if waiting is not None:
                return waiting
        # the step names the type: a second change accepted while the first runs is a step of its own
        change = partial(ctx.gateway.change_type, server.id, wanted, upgrade_disk=False)
        return follow(ctx, Step.CHANGE_TYPE, change, target=wanted) or \
            Outcome.retry(0.0, "server type changed; continuing")

    def _attach_volumes(self, ctx: StepContext, server: HServer) -> Outcome | None:
        for volume_ref in _spec(ctx).data_volumes:
            volume_id = block_storages.volume_for(ctx, volume_ref.name, server.location)
            if volume_id is None:
                continue
            volume = ctx.gateway.get_volume(volume_id)
            if volume.server_id != server.id:
                attach = partial(ctx.gateway.attach_volume, volume.id, server.id)
                waiting = follow(ctx, Step.ATTACH, attach, target=volume.id)
                if waiting is not None:
                    return waiting
            block_storages.attached_as_volume(ctx, volume_ref.name, ctx.resource.key.name, server.location,
                                              volume.size)
        return None

    def _converge_power(self, ctx: StepContext) -> Outcome | None:
        server = self._find_server(ctx)
        if server is None:
            return Outcome.retry(0.5, "the server disappeared")
        wanted = _record(ctx).power
        actual = translate.power_state_from_server(server)
        if wanted == actual:
            return None
        if wanted == "on":
            return follow(ctx, Step.POWERON, lambda: ctx.gateway.power_on(server.id)) or \
                Outcome.retry(0.0, "powered on; checking")
        return self._stop(ctx, server)

    def _stop(self, ctx: StepContext, server: HServer) -> Outcome | None:
        started = _record(ctx).shutdown_started or 0.0
        if not started:
            ctx.update(internal={"shutdown_started": time.time()})
        waiting = follow(ctx, Step.SHUTDOWN, lambda: ctx.gateway.shutdown(server.id))
        if waiting is not None:
            return waiting
        if ctx.gateway.get_server(server.id).status == "off":
            return None
        if time.time() - (started or time.time()) < ctx.timings.shutdown_grace:
            return Outcome.retry(2.0, "waiting for the guest to shut down")
        return follow(ctx, Step.POWEROFF, lambda: ctx.gateway.power_off(server.id)) or \
            Outcome.retry(0.0, "powered off after the shutdown grace period")

    def _finish(self, ctx: StepContext) -> Outcome:
        server = self._find_server(ctx)
        if server is None:
            return Outcome.retry(0.5, "the server disappeared")
        power = translate.power_state_from_server(server)
        changed = ctx.resource.status.get("powerState") != power or "powerStateSince" not in ctx.resource.status
        status = InstanceStatus(power, rfc3339(now()) if changed else None)
        message = None
        zone = _spec(ctx).zone
        if server.location != zone:
            message = (f"Zone change to {zone} not applied: Hetzner cannot move a server; "
                       f"it stays in {server.location}. Recreate the instance to move it.")
        ctx.update(status=status.to_json(), internal={"shutdown_started": None},
                   event=Event.PROVISIONED, reason="ZoneNotChanged" if message else None, message=message)
        return Outcome.done()

    # -- actions -------------------------------------------------------------------------------------

    def act(self, ctx: StepContext, action: str) -> Outcome:
        """A power action. If Hetzner refuses or fails it, the power intent falls back to the server's
        actual state, so the same action can be asked for again (instead of a 412 'already started')."""
        try:
            outcome = self._act(ctx, action)
        except HetznerRejected:
            self._reset_intent(ctx)
            raise
        if outcome.kind == "failed":
            self._reset_intent(ctx)
        return outcome

    def _reset_intent(self, ctx: StepContext) -> None:
        try:
            server = self._find_server(ctx)
        except HetznerError:
            server = None
        actual = translate.power_state_from_server(server) if server else ctx.resource.status.get("powerState", "off")
        ctx.update(internal={"power": actual})

    def _act(self, ctx: StepContext, action: str) -> Outcome:
        server = self._find_server(ctx)
        if server is None:
            return Outcome.retry(1.0, "the server does not exist yet")
        if action == "restart":
            waiting = follow(ctx, Step.REBOOT, lambda: ctx.gateway.reboot(server.id))
            if waiting is not None:
                return waiting
        else:
            waiting = self._converge_power(ctx)
            if waiting is not None:
                return waiting
        return self._finish(ctx)

    # -- delete --------------------------------------------------------------------------------------

    def delete(self, ctx: StepContext) -> Outcome:
        server = self._find_server(ctx)
        if server is not None:
            waiting = follow(ctx, Step.DELETE, lambda: ctx.gateway.delete_server(server.id))
            if waiting is not None:
                return waiting
        for leftover in ctx.gateway.find_servers(ctx.selector()):
            ctx.gateway.delete_server(leftover.id)
        block_storages.release(ctx, _spec(ctx).storage_names, ctx.resource.key.name)
        self._cleanup_shared(ctx)  # before the purge: a failure here is retried, not forgotten
        ctx.purge()
        return Outcome.done()

    def _cleanup_shared(self, ctx: StepContext) -> None:
        """SSH keys and placement groups are shared per project: remove those nothing uses any more."""
        for key in ctx.gateway.find_ssh_keys(f"{MANAGED}=true,{ROLE}=ssh-key"):
            if not ctx.repository.referencing_anywhere("instance", key.public_key.split()[1]):
                ctx.gateway.delete_ssh_key(key.id)
        group = _spec(ctx).anti_affinity_group
        if group:
            for found in ctx.gateway.find_placement_groups(f"{GROUP_LABEL}={_group_key(ctx.resource, group)}"):
                if not found.server_ids:
                    ctx.gateway.delete_placement_group(found.id)
