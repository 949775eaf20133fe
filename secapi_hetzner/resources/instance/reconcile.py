"""Worker steps for instances: create (adopting first), converge type, volumes and power, delete.

Every step is idempotent and records what it learned before the next side effect: the server id
is saved before its create action is followed, so a worker killed mid-create is replaced by one
that follows the same server instead of creating a second one; a create whose answer was lost is
adopted by its ownership label.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from functools import partial
from typing import Any

from secapi_hetzner.engine.context import MANAGED, ROLE, StepContext, hetzner_name
from secapi_hetzner.engine.follow import follow
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.hetzner import HetznerError, HetznerNotFound, HetznerRejected, HServer
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.image.translate import boot_image
from secapi_hetzner.resources.instance import translate
from secapi_hetzner.store.resources import Resource

SHUTDOWN_GRACE_SECONDS = 60.0
GROUP_LABEL = "secapi.cloud/group"


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
        elif ctx.operation.step == "create":  # the server exists, its create action is still being followed
            outcome = follow(ctx, "create", lambda: None)
            if outcome is not None:
                return outcome
        waiting = self._place_boot_disk(ctx, server) or self._converge_type(ctx, server) \
            or self._attach_volumes(ctx, server) or self._converge_power(ctx)
        if waiting is not None:
            return waiting
        return self._finish(ctx)

    def _find_server(self, ctx: StepContext) -> HServer | None:
        server_id = ctx.resource.internal.get("server_id")
        if server_id:
            try:
                return ctx.gateway.get_server(int(server_id))
            except HetznerNotFound:
                ctx.update(internal={"server_id": None})
        adopted = ctx.gateway.find_servers(ctx.selector())
        if adopted:
            ctx.update(internal={"server_id": adopted[0].id})
            return adopted[0]
        return None

    def _create(self, ctx: StepContext) -> Outcome | None:
        request = translate.server_request_from_instance(ctx.resource.spec)
        boot = ctx.lookup("block-storage", translate.ref_name(ctx.resource.spec["bootVolume"]["deviceRef"]))
        image: int | str = translate.image_for(boot.spec if boot else {}, ctx.architecture_of(request.server_type))
        source = translate.ref_name(boot.spec.get("sourceImageRef")) if boot else ""
        own = ctx.lookup("image", source, workspace="") if source else None
        if own is not None:  # one of the tenant's own images: its snapshot (docs/compatibility.md, Images)
            choice = boot_image(own, ctx.architecture_of(request.server_type))
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

        return follow(ctx, "create", start)

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
        name = translate.ref_name(ctx.resource.spec["bootVolume"]["deviceRef"])
        self._set_storage(ctx, name, placement="root-disk", location=server.location, volume_id=None,
                          size=server.primary_disk_size)
        return None

    def _set_storage(self, ctx: StepContext, name: str, **internal: Any) -> None:
        storage = ctx.lookup("block-storage", name)
        if storage is None:
            return
        size = internal.pop("size", None)
        status: dict[str, Any] = {"attachedTo": {"resource": f"instances/{ctx.resource.key.name}"}}
        if size:
            status["sizeGB"] = max(int(size), int(storage.spec.get("sizeGB", 0)))
        with ctx.db.transaction() as conn:
            current = ctx.resources.get_by_id(storage.id, conn, lock=True)
            if current is None or current.deleted_at is not None:
                return
            merged_internal = {**current.internal, **internal, "instance": ctx.resource.key.name}
            merged_status = {**current.status, **status}
            if merged_internal != current.internal or merged_status != current.status:
                ctx.resources.save(conn, current.with_changes(internal=merged_internal, status=merged_status))

    def _converge_type(self, ctx: StepContext, server: HServer) -> Outcome | None:
        wanted = translate.ref_name(ctx.resource.spec["skuRef"])
        if server.server_type == wanted:
            return None
        if server.status != "off":
            waiting = follow(ctx, "type-poweroff", lambda: ctx.gateway.power_off(server.id))
            if waiting is not None:
                return waiting
        # the step names the type: a second change accepted while the first runs is a step of its own
        change = partial(ctx.gateway.change_type, server.id, wanted, upgrade_disk=False)
        return follow(ctx, f"change-type-{wanted}", change) or Outcome.retry(0.0, "server type changed; continuing")

    def _attach_volumes(self, ctx: StepContext, server: HServer) -> Outcome | None:
        for volume_ref in ctx.resource.spec.get("dataVolumes") or []:
            name = translate.ref_name(volume_ref.get("deviceRef"))
            storage = ctx.lookup("block-storage", name)
            if storage is None:
                continue
            volume_id = storage.internal.get("volume_id")
            if not volume_id:
                labels = {MANAGED: "true", "secapi.cloud/resource": str(storage.id), "secapi.cloud/kind":
                          "block-storage", ROLE: "volume"}
                found = ctx.gateway.find_volumes(f"secapi.cloud/resource={storage.id},{ROLE}=volume")
                volume = found[0] if found else ctx.gateway.create_volume(
                    name=hetzner_name(name, str(storage.id)), size=int(storage.spec["sizeGB"]),
                    location=server.location, labels=labels).obj
                volume_id = volume.id
                self._set_storage(ctx, name, placement="volume", volume_id=volume.id, location=server.location)
            volume = ctx.gateway.get_volume(int(volume_id))
            if volume.server_id != server.id:
                waiting = follow(ctx, f"attach-{volume.id}", partial(ctx.gateway.attach_volume, volume.id, server.id))
                if waiting is not None:
                    return waiting
            self._set_storage(ctx, name, location=server.location, size=volume.size)
        return None

    def _converge_power(self, ctx: StepContext) -> Outcome | None:
        server = self._find_server(ctx)
        if server is None:
            return Outcome.retry(0.5, "the server disappeared")
        wanted = ctx.resource.internal.get("power", "off")
        actual = translate.power_state_from_server(server)
        if wanted == actual:
            return None
        if wanted == "on":
            return follow(ctx, "poweron", lambda: ctx.gateway.power_on(server.id)) or \
                Outcome.retry(0.0, "powered on; checking")
        return self._stop(ctx, server)

    def _stop(self, ctx: StepContext, server: HServer) -> Outcome | None:
        started = float(ctx.resource.internal.get("shutdown_started") or 0)
        if not started:
            ctx.update(internal={"shutdown_started": time.time()})
        waiting = follow(ctx, "shutdown", lambda: ctx.gateway.shutdown(server.id))
        if waiting is not None:
            return waiting
        if ctx.gateway.get_server(server.id).status == "off":
            return None
        if time.time() - (started or time.time()) < ctx.shutdown_grace:
            return Outcome.retry(2.0, "waiting for the guest to shut down")
        return follow(ctx, "poweroff", lambda: ctx.gateway.power_off(server.id)) or \
            Outcome.retry(0.0, "powered off after the shutdown grace period")

    def _finish(self, ctx: StepContext) -> Outcome:
        server = self._find_server(ctx)
        if server is None:
            return Outcome.retry(0.5, "the server disappeared")
        power = translate.power_state_from_server(server)
        status: dict[str, Any] = {"powerState": power}
        if ctx.resource.status.get("powerState") != power or "powerStateSince" not in ctx.resource.status:
            status["powerStateSince"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        message = None
        if server.location != ctx.resource.spec.get("zone"):
            message = (f"Zone change to {ctx.resource.spec.get('zone')} not applied: Hetzner cannot move a server; "
                       f"it stays in {server.location}. Recreate the instance to move it.")
        ctx.update(status=status, internal={"shutdown_started": None},
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
            waiting = follow(ctx, "reboot", lambda: ctx.gateway.reboot(server.id))
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
            waiting = follow(ctx, "delete", lambda: ctx.gateway.delete_server(server.id))
            if waiting is not None:
                return waiting
        for leftover in ctx.gateway.find_servers(ctx.selector()):
            ctx.gateway.delete_server(leftover.id)
        self._release_storages(ctx)
        self._cleanup_shared(ctx)  # before the purge: a failure here is retried, not forgotten
        ctx.purge()
        return Outcome.done()

    def _release_storages(self, ctx: StepContext) -> None:
        names = [translate.ref_name(ctx.resource.spec["bootVolume"]["deviceRef"])]
        names += [translate.ref_name(v.get("deviceRef")) for v in ctx.resource.spec.get("dataVolumes") or []]
        for name in names:
            storage = ctx.lookup("block-storage", name)
            if storage is None or storage.internal.get("instance") != ctx.resource.key.name:
                continue
            with ctx.db.transaction() as conn:
                current = ctx.resources.get_by_id(storage.id, conn, lock=True)
                if current is None:
                    continue
                internal = {**current.internal, "instance": None}
                if internal.get("placement") == "root-disk":  # the root disk went with the server
                    internal.update(placement=None, location=None)
                status = {k: v for k, v in current.status.items() if k != "attachedTo"}
                ctx.resources.save(conn, current.with_changes(internal=internal, status=status))

    def _cleanup_shared(self, ctx: StepContext) -> None:
        """SSH keys and placement groups are shared per project: remove those nothing uses any more."""
        for key in ctx.gateway.find_ssh_keys(f"{MANAGED}=true,{ROLE}=ssh-key"):
            if not ctx.resources.referencing_anywhere("instance", key.public_key.split()[1]):
                ctx.gateway.delete_ssh_key(key.id)
        group = ctx.resource.spec.get("antiAffinityGroup")
        if group:
            for found in ctx.gateway.find_placement_groups(f"{GROUP_LABEL}={_group_key(ctx.resource, group)}"):
                if not found.server_ids:
                    ctx.gateway.delete_placement_group(found.id)
