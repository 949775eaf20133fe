"""The image kind's API for the kinds that boot images (instances)."""

from __future__ import annotations

from secapi_hetzner.lifecycle import State
from secapi_hetzner.resources.image.model import ImageRecord, ImageSpec
from secapi_hetzner.resources.image.translate import BootChoice, boot_choice
from secapi_hetzner.store.repository import Resource


def boot_image(image: Resource, architecture: str) -> BootChoice:
    """What a new server of a Hetzner ``architecture`` boots for one of the tenant's images."""
    failure = None
    if image.state == State.ERROR:
        failure = str((image.status.get("conditions") or [{}])[0].get("message", "no reason"))
    return boot_choice(image.key.name, ImageSpec.parse(image.spec), ImageRecord.from_json(image.internal),
                       architecture, deleting=image.deleted_at is not None, failure=failure)
