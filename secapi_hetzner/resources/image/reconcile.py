"""Worker steps for images: take the image from its block storage (a snapshot of the server whose root
disk it is, or the system image build an unused block storage holds), delete snapshots on delete.

Crash safety: every snapshot carries the ownership labels plus a *generation* (one per source the
image was taken from). The snapshot id is recorded before its action is followed, and a snapshot whose
create answer was lost is adopted by its labels; snapshots of earlier sources are deleted once the new
one is available, and every snapshot of the image when it is deleted.
"""

from __future__ import annotations

import enum
from typing import Any

from secapi_hetzner.engine.context import RESOURCE, StepContext
from secapi_hetzner.engine.follow import follow
from secapi_hetzner.engine.follow import step_key as follow_step_key
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.hetzner import HAction, HetznerNotFound, HetznerRejected, HetznerTransient
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.block_storage import usage as block_storages
from secapi_hetzner.resources.block_storage.model import BlockStorageSpec, Placement
from secapi_hetzner.resources.image import translate
from secapi_hetzner.resources.image.model import ImageRecord, ImageSpec
from secapi_hetzner.resources.instance import usage as instances
from secapi_hetzner.store.repository import Resource

SNAPSHOT_ROLE = "snapshot"


class Step(enum.StrEnum):
    SNAPSHOT = "snapshot"  # target: the generation


def _record(ctx: StepContext) -> ImageRecord:
    return ImageRecord.from_json(ctx.resource.internal)


class ImageReconciler:
    # -- apply -----------------------------------------------------------------------------------------

    def apply(self, ctx: StepContext) -> Outcome:
        if ctx.resource.deleted_at is not None:
            return Outcome.done()  # a delete follows; nothing to take any more
        ctx.update(event=Event.PROVISIONING)
        source = translate.source_of(ImageSpec.parse(ctx.resource.spec))
        record = _record(ctx)
        if record.source == source.key() and (record.snapshot_id or record.system_image):
            return self._finish(ctx, {})  # taken already from this source (a change of labels, say)
        storage = block_storages.find(ctx, source.block_storage, workspace=source.workspace)
        if storage is None:
            return Outcome.failed("BlockStorageMissing", f"Block storage {source.label!r} no longer exists; "
                                                         "the image cannot be taken from it.")
        placement = block_storages.record_of(storage).placement
        if placement == Placement.ROOT_DISK:
            return self._snapshot(ctx, source, storage)
        if placement == Placement.VOLUME:
            return Outcome.failed("VolumeNotSnapshottable", f"Block storage {source.label!r} became a Hetzner volume; "
                                                            "Hetzner can snapshot a server's root disk only.")
        booting = instances.being_created_on(ctx, storage)
        if booting is not None:  # it is about to become that server's root disk: take the image from there
            return ctx.wait(f"Block storage {source.label!r} becomes the root disk of instance "
                            f"{booting.key.name!r} once its server is created; waiting for it.", 1.0)
        return self._system_build(ctx, source, storage)

    # -- a snapshot of the server the block storage is the root disk of -------------------------------

    def _snapshot(self, ctx: StepContext, source: translate.Source, storage: Resource) -> Outcome:
        instance_name = str(block_storages.record_of(storage).instance)
        instance = ctx.lookup("instance", instance_name, workspace=source.workspace)
        server_id = instances.server_id_of(instance) if instance is not None else None
        if not server_id:
            return ctx.wait(f"waiting for the server of instance {instance_name!r}", 1.0)
        server = ctx.gateway.get_server(server_id)
        architecture = translate.seca_architecture(ctx.architecture_of(server.server_type))
        if architecture != source.architecture:
            return Outcome.failed("ArchitectureMismatch", (
                f"Block storage {source.label!r} is the root disk of instance {instance_name!r}, a "
                f"{server.server_type} ({architecture}); an image of it cannot be {source.architecture}. "
                f"Change cpuArchitecture to {architecture}."))
        generation = self._generation(ctx, source)
        step = follow_step_key(Step.SNAPSHOT, generation)
        snapshot_id = _record(ctx).pending_snapshot_id
        if not snapshot_id and ctx.operation.step != step:
            adopted = ctx.gateway.find_snapshots(f"{ctx.selector(SNAPSHOT_ROLE)},{translate.GENERATION}={generation}")
            if adopted:  # created by a worker that died before it could record the id
                snapshot_id = adopted[0].id
                ctx.update(internal={"pending_snapshot_id": snapshot_id})
        if not snapshot_id or ctx.operation.step == step:
            def start() -> HAction:
                labels = {**ctx.ownership_labels(SNAPSHOT_ROLE), translate.GENERATION: str(generation)}
                created, action = ctx.gateway.create_snapshot(
                    server.id, description=translate.snapshot_description(ctx.resource.key.name, source,
                                                                          instance_name), labels=labels)
                ctx.update(internal={"pending_snapshot_id": created.id})
                return action

            waiting = follow(ctx, Step.SNAPSHOT, start, target=generation)
            if waiting is not None:
                if waiting.kind == "failed":
                    ctx.update(internal={"pending_snapshot_id": None})
                return waiting
            snapshot_id = _record(ctx).pending_snapshot_id
        assert snapshot_id is not None
        try:
            snapshot = ctx.gateway.get_image(snapshot_id)
        except HetznerNotFound:
            ctx.update(internal={"pending_snapshot_id": None})
            return ctx.wait(f"Hetzner snapshot {snapshot_id} vanished; taking it again", 0.0)
        if snapshot.status == "creating":
            return ctx.wait(f"waiting for Hetzner snapshot {snapshot.id}")
        if snapshot.status != "available":
            ctx.update(internal={"pending_snapshot_id": None})
            return Outcome.failed("SnapshotFailed", f"Hetzner snapshot {snapshot.id} is {snapshot.status}.")
        note = translate.snapshot_note(snapshot.id, server.id, source, instance_name)
        return self._realised(ctx, source, {"snapshot_id": snapshot.id, "system_image": None},
                              translate.snapshot_size_mb(snapshot), ("SnapshotTaken", note))

    def _generation(self, ctx: StepContext, source: translate.Source) -> int:
        """The generation of the snapshot being taken from ``source``: a new one for a new source."""
        record = _record(ctx)
        generation = record.generation or 0
        if record.target == source.key() and generation:
            return generation
        ctx.update(internal={"generation": generation + 1, "target": source.key(), "pending_snapshot_id": None})
        return generation + 1

    # -- an unused block storage: the system image build it holds ---------------------------------------

    def _system_build(self, ctx: StepContext, source: translate.Source, storage: Resource) -> Outcome:
        ref = BlockStorageSpec.parse(storage.spec).source_image
        source_image = ref.name if ref is not None else translate.DEFAULT_IMAGE
        own = ctx.lookup("image", source_image, workspace="")
        if own is not None and own.deleted_at is None:
            return Outcome.failed("SourceIsOwnImage", (
                f"Block storage {source.label!r} has not been used by any instance yet, so it holds exactly image "
                f"{source_image!r}, one of your own images: use that image instead."))
        build = translate.system_build(source_image, source.architecture)
        image = translate.find_system_build(ctx.gateway.list_system_images(), build)
        if image is None:
            return Outcome.failed("NoSuchSystemImage", f"Hetzner offers no system image {build!r} "
                                                       f"(the {source.architecture} build of {source_image!r}).")
        note = translate.system_build_note(source, source_image, build, defaulted=ref is None)
        return self._realised(ctx, source, {"snapshot_id": None, "system_image": build},
                              translate.system_image_size_mb(image), ("NoSnapshotNeeded", note))

    # -- common ends -----------------------------------------------------------------------------------

    def _realised(self, ctx: StepContext, source: translate.Source, realisation: dict[str, Any], size: int,
                  note: tuple[str, str]) -> Outcome:
        """Record the new realisation first, then delete what earlier sources left on Hetzner."""
        ctx.update(internal={**realisation, "source": source.key(), "target": None, "pending_snapshot_id": None,
                             "note": list(note)})
        self._delete_snapshots(ctx, keep=realisation.get("snapshot_id"))
        return self._finish(ctx, {"sizeMB": size})

    def _finish(self, ctx: StepContext, status: dict[str, Any]) -> Outcome:
        reason, message = _record(ctx).note or (None, None)
        ctx.update(status=status, event=Event.PROVISIONED, reason=reason, message=message)
        return Outcome.done()

    def _delete_snapshots(self, ctx: StepContext, keep: int | None = None, *, strict: bool = False) -> None:
        """Every snapshot of this image but ``keep``. Best effort unless ``strict`` (a snapshot still being
        created may refuse; it is deleted with the image at the latest)."""
        for snapshot in ctx.gateway.find_snapshots(f"{RESOURCE}={ctx.resource.id}"):
            if snapshot.id == keep:
                continue
            try:
                ctx.gateway.delete_image(snapshot.id)
            except HetznerNotFound:
                pass
            except (HetznerRejected, HetznerTransient):
                if strict:
                    raise

    # -- delete ----------------------------------------------------------------------------------------

    def delete(self, ctx: StepContext) -> Outcome:
        self._delete_snapshots(ctx, strict=True)
        recorded = _record(ctx).snapshot_id
        if recorded:  # labels changed outside the service: the recorded snapshot is still ours
            try:
                ctx.gateway.delete_image(recorded)
            except HetznerNotFound:
                pass
        ctx.purge()
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Images have no action {action!r}.")
