"""Images of the project: snapshots (made by ``ServersMixin.create_snapshot``) and their upkeep."""

from __future__ import annotations

from collections.abc import Mapping

from hcloud.images import BoundImage, Image

from secapi_hetzner.hetzner.core import GatewayCore, created_at
from secapi_hetzner.hetzner.models import HSnapshot, freeze_labels


def snapshot_from(bound: BoundImage) -> HSnapshot:
    # Image.deprecated warns (DeprecationWarning) and is never read here.
    image = bound.data_model
    origin = image.created_from
    return HSnapshot(
        id=int(image.id or 0), type=str(image.type or ""), description=str(image.description or ""),
        status=str(image.status or ""),
        image_size_gb=float(image.image_size) if image.image_size is not None else None,
        disk_size_gb=float(image.disk_size or 0), architecture=str(image.architecture or ""),
        created_from_server_id=int(origin.id or 0) if origin is not None else None,
        labels=freeze_labels(image.labels), created=created_at(image.created),
    )


class ImagesMixin(GatewayCore):
    def find_snapshots(self, label_selector: str) -> list[HSnapshot]:
        """Snapshots matching the selector, any status (the status filter is broken in hcloud 2.27)."""
        found = self._pages("images.get_list", lambda page, per_page: self._client.images.get_list(
            type=["snapshot"], label_selector=label_selector, page=page, per_page=per_page))
        return [snapshot_from(i) for i in found]

    def get_image(self, image_id: int) -> HSnapshot:
        return snapshot_from(self._call("images.get_by_id", lambda: self._client.images.get_by_id(image_id)))

    def update_image(
        self, image_id: int, *, description: str | None = None, labels: Mapping[str, str] | None = None
    ) -> HSnapshot:
        """``PUT /images/{id}``; ``labels`` replaces all labels."""
        updated = self._call("images.update", lambda: self._client.images.update(
            Image(id=image_id), description=description, labels=dict(labels) if labels is not None else None))
        return snapshot_from(updated)

    def delete_image(self, image_id: int) -> None:
        self._call("images.delete", lambda: self._client.images.delete(Image(id=image_id)))
