"""Worker steps for block storages. The instance kind places them through ``usage`` (root disk or
volume); these steps keep a placed volume's size, report status, and delete the volume."""

from __future__ import annotations

import enum
from typing import Any

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.follow import follow, resume, step_key
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.owned import lost_create_possible
from secapi_hetzner.hetzner import HAction, HetznerNotFound
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.block_storage.model import BlockStorageRecord, BlockStorageSpec, Placement


class Step(enum.StrEnum):
    RESIZE = "resize"
    DETACH = "detach"


class BlockStorageReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        size = BlockStorageSpec.parse(ctx.resource.spec).size_gb
        # a resize in flight is judged by its action, never by the volume's size (which Hetzner may show
        # before the action ends, and take back if it fails); one that just succeeded says the size
        resumed = resume(ctx)
        if isinstance(resumed, Outcome):
            return resumed
        if isinstance(resumed, HAction) and ctx.operation.step == f"{step_key(Step.RESIZE, size)}:done":
            ctx.update(status={"sizeGB": size}, event=Event.PROVISIONED)
            return Outcome.done()
        status: dict[str, Any] = {"sizeGB": size}
        record = BlockStorageRecord.from_json(ctx.resource.internal)
        if record.placement == Placement.ROOT_DISK and record.disk_gb:
            status["sizeGB"] = record.disk_gb  # the server's disk, as Hetzner has it
        if record.placement == Placement.VOLUME and record.volume_id:
            try:
                volume = ctx.gateway.get_volume(record.volume_id)
            except HetznerNotFound:
                return Outcome.failed("VolumeMissing", f"Hetzner volume {record.volume_id} no longer exists.")
            if volume.size < size:
                waiting = follow(ctx, Step.RESIZE, lambda: ctx.gateway.resize_volume(volume.id, size), target=size)
                if waiting is not None:
                    return waiting
            status["sizeGB"] = max(size, volume.size)
        ctx.update(status=status, event=Event.PROVISIONED)
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        record = BlockStorageRecord.from_json(ctx.resource.internal)
        if record.placement == Placement.VOLUME and record.volume_id:
            try:
                volume = ctx.gateway.get_volume(record.volume_id)
            except HetznerNotFound:
                volume = None
            if volume is not None:
                found = volume
                if found.server_id is not None:
                    waiting = follow(ctx, Step.DETACH, lambda: ctx.gateway.detach_volume(found.id))
                    if waiting is not None:
                        return waiting
                ctx.gateway.delete_volume(found.id)
        if lost_create_possible(record.create_attempts, record.volume_id):
            # a create whose answer was lost may have left a volume behind
            for volume in ctx.gateway.find_volumes(ctx.selector("volume")):
                ctx.gateway.delete_volume(volume.id)
        ctx.purge()
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Block storages have no action {action!r}.")
