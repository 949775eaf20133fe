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
        if ctx.operation.step == Step.CREATE and _record(ctx).server_id:  # following the server's create action
            waiting = follow(ctx, Step.CREATE, lambda: None)
            if waiting is not None:
                return waiting
        server = self._find_server(ctx)
        if server is None:
            outcome = self._create(ctx)
            if outcome is not None:
                return outcome
            server = self._find_server(ctx)
            if server is None:
                return Outcome.retry_after_failure(0.5, "ServerMissing", "The new server does not show on Hetzner.")
        self._place_boot_disk(ctx, server)
        for converge in (self._converge_type, self._attach_volumes, self._converge_power):
            result = converge(ctx, server)
            if isinstance(result, Outcome):
                return result
            server = result
        return self._finish(ctx, server)

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
                return ctx.wait(choice.message, 1.0, reason="WaitingForImage")
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

    def _place_boot_disk(self, ctx: StepContext, server: HServer) -> None:
        block_storages.use_as_root_disk(ctx, _spec(ctx).boot_volume.name, ctx.resource.key.name, server.location,
                                        server.primary_disk_size)

    def _converge_type(self, ctx: StepContext, server: HServer) -> Outcome | HServer:
        """Hetzner changes the type of a stopped server only: shut it down gracefully (as stop does),
        change the type, and leave the power to ``_converge_power``."""
        wanted = _spec(ctx).sku.name
        if server.server_type == wanted:
            return server
        stopped = self._stop(ctx, server)
        if isinstance(stopped, Outcome):
            return stopped
        # the step names the type: a second change accepted while the first runs is a step of its own
        change = partial(ctx.gateway.change_type, server.id, wanted, upgrade_disk=False)
        waiting = follow(ctx, Step.CHANGE_TYPE, change, target=wanted)
        return waiting if waiting is not None else ctx.gateway.get_server(server.id)

    def _attach_volumes(self, ctx: StepContext, server: HServer) -> Outcome | HServer:
        for volume_ref in _spec(ctx).data_volumes:
            volume = block_storages.volume_for(ctx, volume_ref.name, server.location)
            if volume is None:
                continue
            if isinstance(volume, Outcome):
                return volume
            size = volume.size
            if volume.server_id != server.id:
                attach = partial(ctx.gateway.attach_volume, volume.id, server.id)
                waiting = follow(ctx, Step.ATTACH, attach, target=volume.id)
                if waiting is not None:
                    return waiting
            block_storages.attached_as_volume(ctx, volume_ref.name, ctx.resource.key.name, server.location, size)
        return server

    def _converge_power(self, ctx: StepContext, server: HServer) -> Outcome | HServer:
        wanted = _record(ctx).power
        actual = translate.power_state_from_server(server)
        if actual is None:  # Hetzner is still starting or stopping it
            return ctx.wait(f"Hetzner server {server.id} is {server.status}", reason="ServerStuck")
        if wanted == actual:
            return server
        if wanted == "on":
            waiting = follow(ctx, Step.POWERON, lambda: ctx.gateway.power_on(server.id))
            return waiting if waiting is not None else ctx.gateway.get_server(server.id)
        return self._stop(ctx, server)

    def _stop(self, ctx: StepContext, server: HServer) -> Outcome | HServer:
        """Graceful shutdown (ACPI), then a power off once the grace period has passed."""
        if server.status == "off":
            return server
        started = _record(ctx).shutdown_started
        if not started:
            started = time.time()
            ctx.update(internal={"shutdown_started": started})
        waiting = follow(ctx, Step.SHUTDOWN, lambda: ctx.gateway.shutdown(server.id))
        if waiting is not None:
            return waiting
        current = ctx.gateway.get_server(server.id)
        if current.status == "off":
            return current
        elapsed = time.time() - started
        if elapsed < ctx.timings.shutdown_grace:  # look again less and less often, never past the grace
            delay = min(ctx.timings.shutdown_grace - elapsed, max(2.0, elapsed / 2))
            return Outcome.retry(delay, "waiting for the guest to shut down")
        waiting = follow(ctx, Step.POWEROFF, lambda: ctx.gateway.power_off(server.id))
        return waiting if waiting is not None else ctx.gateway.get_server(server.id)

    def _finish(self, ctx: StepContext, server: HServer) -> Outcome:
        power = translate.power_state_from_server(server)
        if power is None:
            return ctx.wait(f"Hetzner server {server.id} is {server.status}", reason="ServerStuck")
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
        actual = translate.power_state_from_server(server) if server else None
        ctx.update(internal={"power": actual or ctx.resource.status.get("powerState", "off")})

    def _act(self, ctx: StepContext, action: str) -> Outcome:
        had_server = _record(ctx).server_id
        server = self._find_server(ctx)
        if server is None:
            if had_server:
                return Outcome.failed("DeletedOutsideService", f"Hetzner server {had_server} was deleted outside "
                                                               f"secapi-hetzner; the instance cannot {action}.")
            return Outcome.failed("NoServer", f"The instance has no Hetzner server (its creation failed); it cannot "
                                              f"{action}. PUT the instance again to create it.")
        if action == "restart":
            server_id = server.id
            waiting = follow(ctx, Step.REBOOT, lambda: ctx.gateway.reboot(server_id))
            if waiting is not None:
                return waiting
            server = ctx.gateway.get_server(server_id)
        else:
            result = self._converge_power(ctx, server)
            if isinstance(result, Outcome):
                return result
            server = result
        return self._finish(ctx, server)

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
