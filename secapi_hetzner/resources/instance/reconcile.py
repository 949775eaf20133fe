"""Worker steps for instances: create (adopting first), move to another zone, converge type, volumes
and power, delete.

Every step is idempotent and records what it learned before the next side effect: the server id
is saved before its create action is followed, so a worker killed mid-create is replaced by one
that follows the same server instead of creating a second one; a create whose answer was lost is
adopted by its ownership label. A zone change is carried out the one way Hetzner allows (see
``InstanceReconciler._move``), with the same care at each of its steps.
"""

from __future__ import annotations

import enum
import hashlib
import time
from dataclasses import replace
from functools import partial
from typing import Any

from secapi_hetzner.clock import now, rfc3339
from secapi_hetzner.engine.context import MANAGED, ROLE, StepContext, hetzner_name
from secapi_hetzner.engine.follow import follow, resume, step_key
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.owned import lost_create_possible
from secapi_hetzner.engine.pacing import GUEST_SHUTDOWN
from secapi_hetzner.hetzner import HetznerError, HetznerNotFound, HetznerRejected, HServer
from secapi_hetzner.hetzner.models import HAction
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.block_storage import usage as block_storages
from secapi_hetzner.resources.block_storage.model import BlockStorageSpec
from secapi_hetzner.resources.image import usage as images
from secapi_hetzner.resources.instance import networking, translate
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec, InstanceStatus, Power
from secapi_hetzner.store.repository import Resource

GROUP_LABEL = "secapi.cloud/group"


#: power actions whose success says the server's power state
POWER_RESULTS: dict[str, Power] = {"start_server": "on", "reboot_server": "on", "stop_server": "off"}


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
    MOVE_SNAPSHOT = "move-snapshot"  # target: the server being replaced
    MOVE_CREATE = "move-create"      # target: the new zone
    MOVE_DELETE = "move-delete"      # target: the server being replaced

MOVE_SNAPSHOT_ROLE = "move-snapshot"


def _spec(ctx: StepContext) -> InstanceSpec:
    return InstanceSpec.parse(ctx.resource.spec)


def _record(ctx: StepContext) -> InstanceRecord:
    return InstanceRecord.from_json(ctx.resource.internal)


def _wanted_type(ctx: StepContext) -> str:
    """The server type for the spec's SKU: the one the instance was placed with, else what the SKU (a type's
    name, or a standard tier) resolves to in the catalog now."""
    sku = _spec(ctx).sku.name
    return _record(ctx).server_type_for(sku) or ctx.resolve_sku(ctx.resource.region, sku) or sku


def _group_key(resource: Resource, group: str) -> str:
    text = f"{resource.key.tenant}/{resource.key.workspace}/{group}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class InstanceReconciler:
    # -- apply ---------------------------------------------------------------------------------------

    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        resumed = resume(ctx, watched=(Step.SHUTDOWN,))  # a run that only waits reads the action, nothing else
        if isinstance(resumed, Outcome):
            return resumed
        wanted = networking.plan(ctx)  # what its NICs and security groups ask (the database only)
        if isinstance(wanted, Outcome):
            return wanted
        server = self._find_server(ctx)
        if server is None:
            outcome = self._create(ctx, wanted)
            if outcome is not None:
                return outcome
            server = self._find_server(ctx)
            if server is None:
                return Outcome.retry_after_failure(0.5, "ServerMissing", "The new server does not show on Hetzner.")
        if server.location != _spec(ctx).zone:
            moved = self._move(ctx, server, wanted)
            if isinstance(moved, Outcome):
                return moved
            server = moved
        ended = self._end_move(ctx)
        if ended is not None:
            return ended
        self._place_boot_disk(ctx, server)
        network = partial(networking.converge, wanted=wanted, stop=self._stop)
        for converge in (self._converge_type, self._attach_volumes, network, self._converge_power):
            result = converge(ctx, server)
            if isinstance(result, Outcome):
                return result
            server = result
        return self._finish(ctx, server)

    def _find_server(self, ctx: StepContext) -> HServer | None:
        """The instance's server: the recorded one, else one a create whose answer was lost made (found
        by its labels); no list call when no create was ever sent."""
        record = _record(ctx)
        if record.server_id:
            try:
                return ctx.gateway.get_server(record.server_id)
            except HetznerNotFound:
                ctx.update(internal={"server_id": None})
        if record.create_attempts == 0:
            return None
        adopted = self._adopt(ctx, record.move_from)
        if adopted is not None:
            return adopted
        if record.move_from:  # the new server of a move is missing: the move goes on from the old one
            try:
                old = ctx.gateway.get_server(record.move_from)
            except HetznerNotFound:
                return None
            ctx.update(internal={"server_id": old.id, "location": old.location, "move_create_sent": None})
            return old
        return None

    @staticmethod
    def _adopt(ctx: StepContext, replaced: int | None) -> HServer | None:
        """A server a create whose answer was lost made, found by the ownership labels (never the server a
        move is replacing), recorded as the instance's."""
        found = [s for s in ctx.gateway.find_servers(ctx.selector()) if s.id != replaced]
        if not found:
            return None
        ctx.update(internal={"server_id": found[0].id, "location": found[0].location})
        return found[0]

    def _create(self, ctx: StepContext, wanted: networking.NetworkPlan,
                snapshot: int | None = None) -> Outcome | None:
        """Create the server, from what its boot volume holds, or, for a move, from ``snapshot``, with the
        public interfaces (and, for a private-only server, the network) of ``wanted``."""
        spec = _spec(ctx)
        request = translate.server_request_from_instance(spec, _wanted_type(ctx))
        boot = block_storages.find(ctx, spec.boot_volume.name)
        boot_spec = BlockStorageSpec.parse(boot.spec) if boot else None
        image: int | str = translate.image_for(boot_spec, ctx.architecture_of(request.server_type))
        source = boot_spec.source_image.name if boot_spec and boot_spec.source_image else ""
        own = ctx.lookup("image", source, workspace="") if source and snapshot is None else None
        if snapshot is not None:
            image = snapshot
        elif own is not None:  # one of the tenant's own images: its snapshot (docs/compatibility.md, Images)
            choice = images.boot_image(own, ctx.architecture_of(request.server_type))
            if choice.image is None:
                if not choice.wait:
                    return Outcome.failed("ImageNotUsable", choice.message)
                ctx.waiting_on("WaitingForImage", f"Waiting for image {source!r}: {choice.message}")
                return ctx.wait(choice.message, 1.0, reason="WaitingForImage")
            image = choice.image
        volume_ids: list[int] = []  # data volumes are attached by the create itself: no attach action
        for volume_ref in spec.data_volumes:
            volume = block_storages.volume_for(ctx, volume_ref.name, request.location)
            if isinstance(volume, Outcome):
                return volume
            if volume is not None and volume.server_id is None:
                volume_ids.append(volume.id)
        key_ids = tuple(self._ssh_key_id(ctx, key) for key in request.public_keys)
        group_id = self._placement_group(ctx, request.anti_affinity_group) if request.anti_affinity_group else None

        def start() -> Any:
            # counted before it is sent: a create whose answer is lost is then looked for by its labels
            ctx.update(internal={"create_attempts": (_record(ctx).create_attempts or 0) + 1,
                                 "server_type": request.server_type, "placed_sku": spec.sku.name,
                                 "move_create_sent": True if snapshot is not None else None,
                                 **networking.created(ctx, wanted)})
            server, action = ctx.gateway.create_server(
                name=hetzner_name(ctx.resource.key.name, str(ctx.resource.id),
                                  tag=request.location if snapshot is not None else ""),
                server_type=request.server_type,
                image=image, location=request.location, labels=ctx.ownership_labels(),
                user_data=request.user_data, ssh_key_ids=key_ids, volume_ids=volume_ids,
                placement_group_id=group_id, start_after_create=False, network_ids=wanted.create_networks,
                firewall_ids=wanted.firewall_ids if wanted.public else (),
                public_ipv4=wanted.create_public("ipv4"), public_ipv6=wanted.create_public("ipv6"))
            ctx.update(internal={"server_id": server.id, "location": request.location})
            return action

        if snapshot is not None:
            return follow(ctx, Step.MOVE_CREATE, start, target=request.location)
        return follow(ctx, Step.CREATE, start)

    # -- a zone change -------------------------------------------------------------------------------

    def _move(self, ctx: StepContext, server: HServer, wanted: networking.NetworkPlan) -> Outcome | HServer:
        """Hetzner cannot move a server, so a zone change makes a new one: the old server is shut down
        (as stop does), its disk is snapshotted, a server of the same type is created from the snapshot
        in the new zone with the same user data, SSH keys, labels and placement group, and then
        (``_end_move``) the old server and the snapshot are deleted; power is restored afterwards by
        ``_converge_power``. The old server's id is recorded first, each Hetzner object's id before its
        action is followed, and a create or snapshot whose answer was lost is found by its labels."""
        record = _record(ctx)
        if record.move_from != server.id:  # this move begins
            ctx.update(internal={"move_from": server.id, "move_from_location": server.location,
                                 "move_snapshot": None, "move_snapshot_sent": None, "move_create_sent": None})
        elif record.move_create_sent:  # the new server was asked for before: its answer may have been lost
            adopted = self._adopt(ctx, server.id)
            if adopted is not None:
                return adopted
        stopped = self._stop(ctx, server)
        if isinstance(stopped, Outcome):
            return stopped
        snapshot = self._move_snapshot(ctx, server.id)
        if isinstance(snapshot, Outcome):
            return snapshot
        waiting = self._create(ctx, wanted, snapshot=snapshot)
        if waiting is not None:
            return waiting
        new_id = _record(ctx).server_id
        assert new_id is not None and new_id != server.id
        return ctx.gateway.get_server(new_id)

    def _move_snapshot(self, ctx: StepContext, server_id: int) -> int | Outcome:
        """The id of an available snapshot of the old server's disk: made now, or earlier in this move."""
        step = step_key(Step.MOVE_SNAPSHOT, server_id)
        record = _record(ctx)
        if record.move_snapshot is not None and ctx.operation.step == f"{step}:done":
            return record.move_snapshot
        if ctx.operation.step != step:  # not following its action: look at what an earlier run left
            if record.move_snapshot is None and record.move_snapshot_sent:  # asked for, answer lost
                found = ctx.gateway.find_snapshots(ctx.selector(MOVE_SNAPSHOT_ROLE))
                if found:
                    ctx.update(internal={"move_snapshot": found[0].id})
            snapshot_id = _record(ctx).move_snapshot
            if snapshot_id is not None:
                try:
                    image = ctx.gateway.get_image(snapshot_id)
                except HetznerNotFound:
                    image = None
                if image is not None and image.status == "available":
                    return image.id
                if image is not None and image.status == "creating":
                    return ctx.wait(f"Hetzner is making snapshot {image.id} of server {server_id}",
                                    reason="ActionTimeout")
                if image is not None:  # unusable: make another
                    ctx.gateway.delete_image(image.id)
                ctx.update(internal={"move_snapshot": None, "move_snapshot_sent": None})

        def start() -> HAction:
            ctx.update(internal={"move_snapshot_sent": True})
            image, action = ctx.gateway.create_snapshot(
                server_id, description=f"secapi-hetzner: {ctx.resource.key.name} moving to {_spec(ctx).zone}",
                labels=ctx.ownership_labels(MOVE_SNAPSHOT_ROLE))
            ctx.update(internal={"move_snapshot": image.id})
            return action

        waiting = follow(ctx, Step.MOVE_SNAPSHOT, start, target=server_id)
        if waiting is not None:
            return waiting
        made = _record(ctx).move_snapshot
        assert made is not None
        return made

    def _end_move(self, ctx: StepContext) -> Outcome | None:
        """After a move: delete the old server, then the snapshot (nothing when no move is under way)."""
        record = _record(ctx)
        if record.move_from is not None:
            old = record.move_from

            def start() -> HAction | None:
                try:
                    return ctx.gateway.delete_server(old)
                except HetznerNotFound:  # gone already (an earlier run deleted it)
                    return None

            waiting = follow(ctx, Step.MOVE_DELETE, start, target=old)
            if waiting is not None:
                return waiting
            ctx.update(internal={"move_from": None})
        self._delete_move_snapshot(ctx)
        return None

    def _delete_move_snapshot(self, ctx: StepContext) -> None:
        record = _record(ctx)
        if record.move_snapshot is None and not record.move_snapshot_sent:
            return
        ids = [record.move_snapshot] if record.move_snapshot is not None else \
            [s.id for s in ctx.gateway.find_snapshots(ctx.selector(MOVE_SNAPSHOT_ROLE))]  # an answer was lost
        for snapshot_id in ids:
            try:
                ctx.gateway.delete_image(snapshot_id)
            except HetznerNotFound:
                pass
        ctx.update(internal={"move_snapshot": None, "move_snapshot_sent": None, "move_create_sent": None})

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
        wanted = _wanted_type(ctx)
        if server.server_type == wanted:
            if _record(ctx).server_type != wanted:
                ctx.update(internal={"server_type": wanted, "placed_sku": _spec(ctx).sku.name})
            return server
        stopped = self._stop(ctx, server)
        if isinstance(stopped, Outcome):
            return stopped
        # the step names the type: a second change accepted while the first runs is a step of its own
        change = partial(ctx.gateway.change_type, server.id, wanted, upgrade_disk=False)
        waiting = follow(ctx, Step.CHANGE_TYPE, change, target=wanted)
        return waiting if waiting is not None else ctx.gateway.get_server(server.id)

    def _attach_volumes(self, ctx: StepContext, server: HServer) -> Outcome | HServer:
        instance = ctx.resource.key.name
        for volume_ref in _spec(ctx).data_volumes:
            recorded = block_storages.volume_id_of(ctx, volume_ref.name)
            if recorded is not None and recorded in server.volume_ids:  # attached: the server says so
                block_storages.attached_as_volume(ctx, volume_ref.name, instance, server.location)
                continue
            volume = block_storages.volume_for(ctx, volume_ref.name, server.location)
            if volume is None:
                continue
            if isinstance(volume, Outcome):
                return volume
            if volume.server_id != server.id:
                attach = partial(ctx.gateway.attach_volume, volume.id, server.id)
                waiting = follow(ctx, Step.ATTACH, attach, target=volume.id)
                if waiting is not None:
                    return waiting
            block_storages.attached_as_volume(ctx, volume_ref.name, instance, server.location, volume.size)
        return server

    def _converge_power(self, ctx: StepContext, server: HServer) -> Outcome | HServer:
        record = _record(ctx)
        wanted, actual = record.power, translate.power_state_from_server(server)
        if wanted == "off" and record.shutdown_started:
            return self._stop(ctx, server)  # our shutdown is under way (or just ended): at the guest's pace
        if actual is None:  # Hetzner is still starting or stopping it
            return ctx.wait(f"Hetzner server {server.id} is {server.status}", reason="ServerStuck")
        if wanted == actual:
            return server
        if wanted == "on":  # a power-on that succeeded leaves the server running: no read needed
            waiting = follow(ctx, Step.POWERON, lambda: ctx.gateway.power_on(server.id))
            return waiting if waiting is not None else replace(server, status="running")
        return self._stop(ctx, server)

    def _stop(self, ctx: StepContext, server: HServer) -> Outcome | HServer:
        """Graceful shutdown (ACPI), then a power off once the grace period has passed. Hetzner's shutdown
        action only says whether the request reached the server: the server going off is the answer, so
        the server (read by the caller in this run) is what is looked at, at the pace the guests of this
        project were seen to take; the action is read only while the server is still on (once, as it
        ends long before the guest is off)."""
        record = _record(ctx)
        step = step_key(Step.SHUTDOWN)
        started = record.shutdown_started if ctx.operation.step in (step, f"{step}:done") else None  # sent
        if server.status == "off":
            if started is not None:
                self._learn_shutdown(ctx, time.time() - started, record.shutdown_seen_on)
            return server
        poll = ctx.timings.action_poll
        if started is None:
            ctx.update(internal={"shutdown_started": time.time(), "shutdown_seen_on": None})
            ctx.progress(step, ctx.gateway.shutdown(server.id).id)
            return Outcome.retry(ctx.pacing.pause(GUEST_SHUTDOWN, 0.0, poll), "waiting for the guest to shut down")
        elapsed = time.time() - started
        ctx.update(internal={"shutdown_seen_on": elapsed})
        grace = ctx.timings.shutdown_grace
        if ctx.operation.step == step:  # still on at a look: did the request reach the guest? (read once)
            waiting = follow(ctx, Step.SHUTDOWN, lambda: None)
            if waiting is not None and waiting.kind == "failed":
                return waiting
        if elapsed < grace:  # look again at the guest's pace, never past the grace
            pause = ctx.pacing.pause(GUEST_SHUTDOWN, elapsed, poll)
            return Outcome.retry(min(grace - elapsed, pause), "waiting for the guest to shut down")
        waiting = follow(ctx, Step.POWEROFF, lambda: ctx.gateway.power_off(server.id))
        return waiting if waiting is not None else replace(server, status="off")

    @staticmethod
    def _learn_shutdown(ctx: StepContext, seen_off: float, last_seen_on: float | None) -> None:
        """Learn how long this project's guests take to shut down from when the server was seen off. Off at
        the first look says only that it took less: the estimate is nudged down (else every look just after
        the expected time would teach a longer one); otherwise it ended between the last two looks."""
        expected = ctx.pacing.expected(GUEST_SHUTDOWN)
        took = min(seen_off, 0.9 * expected) if last_seen_on is None or expected == 0 else \
            (last_seen_on + seen_off) / 2
        ctx.pacing.observe(GUEST_SHUTDOWN, took)

    def _finish(self, ctx: StepContext, server: HServer) -> Outcome:
        power = translate.power_state_from_server(server)
        if power is None:
            return ctx.wait(f"Hetzner server {server.id} is {server.status}", reason="ServerStuck")
        return self._settled(ctx, power, server.location)

    def _settled(self, ctx: StepContext, power: Power, location: str) -> Outcome:
        # powerStateSince is absent until the power state first changes (the spec: until it was started)
        changed = ctx.resource.status.get("powerState") != power
        status = InstanceStatus(power, rfc3339(now()) if changed else None)
        reason = message = None
        record, spec = _record(ctx), _spec(ctx)
        kept = record.server_type
        if record.move_from_location and record.move_from_location != location:
            reason, message = "Moved", (f"Moved from {record.move_from_location} to {location}: Hetzner server "
                                        f"{record.server_id} was made from a snapshot of the old server's disk, "
                                        "which was then deleted with the snapshot.")
        elif kept and kept != spec.sku.name and ctx.resolve_sku(ctx.resource.region, spec.sku.name) not in (kept, None):
            now_type = ctx.resolve_sku(ctx.resource.region, spec.sku.name)
            reason, message = "TierTypeKept", (f"{spec.sku.name} is realised by {now_type} for new instances now; "
                                               f"this instance keeps its {kept}.")
        ctx.update(status=status.to_json(), internal={"shutdown_started": None, "shutdown_seen_on": None,
                                                      "move_from_location": None},
                   event=Event.PROVISIONED, reason=reason, message=message)
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
        resumed = resume(ctx, watched=(Step.SHUTDOWN,))
        if isinstance(resumed, Outcome):
            return resumed
        record = _record(ctx)
        if isinstance(resumed, HAction) and resumed.command in POWER_RESULTS and record.location:
            # the power action just succeeded: its result is known without reading the server again
            return self._settled(ctx, POWER_RESULTS[resumed.command], record.location)
        had_server = record.server_id
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
            server = replace(server, status="running")  # a reboot that succeeded leaves it running
        else:
            result = self._converge_power(ctx, server)
            if isinstance(result, Outcome):
                return result
            server = result
        return self._finish(ctx, server)

    # -- delete --------------------------------------------------------------------------------------

    def delete(self, ctx: StepContext) -> Outcome:
        resumed = resume(ctx, watched=(Step.SHUTDOWN,))
        if isinstance(resumed, Outcome):
            return resumed
        record = _record(ctx)
        if record.server_id:
            server_id = record.server_id

            def start() -> HAction | None:
                try:
                    return ctx.gateway.delete_server(server_id)
                except HetznerNotFound:  # gone already (deleted outside, or by an earlier run)
                    return None

            waiting = follow(ctx, Step.DELETE, start)
            if waiting is not None:
                return waiting
        if lost_create_possible(record.create_attempts, record.server_id):
            for leftover in ctx.gateway.find_servers(ctx.selector()):  # a create whose answer was lost
                ctx.gateway.delete_server(leftover.id)
        self._delete_move_snapshot(ctx)  # a move that was under way
        block_storages.release(ctx, _spec(ctx).storage_names, ctx.resource.key.name)
        networking.release(ctx)
        self._cleanup_shared(ctx)  # before the purge: a failure here is retried, not forgotten
        ctx.purge()
        return Outcome.done()

    def _cleanup_shared(self, ctx: StepContext) -> None:
        """SSH keys and placement groups are shared per project: remove those nothing uses any more."""
        if not _spec(ctx).ssh_keys:
            return self._cleanup_group(ctx)
        for key in ctx.gateway.find_ssh_keys(f"{MANAGED}=true,{ROLE}=ssh-key"):
            if not ctx.repository.referencing_anywhere("instance", key.public_key.split()[1]):
                ctx.gateway.delete_ssh_key(key.id)
        self._cleanup_group(ctx)

    def _cleanup_group(self, ctx: StepContext) -> None:
        group = _spec(ctx).anti_affinity_group
        if group:
            for found in ctx.gateway.find_placement_groups(f"{GROUP_LABEL}={_group_key(ctx.resource, group)}"):
                if not found.server_ids:
                    ctx.gateway.delete_placement_group(found.id)
