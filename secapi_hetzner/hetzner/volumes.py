"""Volumes: block storage in one location, attached to at most one server there."""

from __future__ import annotations

from collections.abc import Mapping

from hcloud.locations import Location
from hcloud.servers import Server
from hcloud.volumes import BoundVolume, Volume

from secapi_hetzner.hetzner.actions import action_from, optional_action
from secapi_hetzner.hetzner.core import GatewayCore, created_at
from secapi_hetzner.hetzner.errors import HetznerRejected
from secapi_hetzner.hetzner.models import HAction, HCreated, HVolume, freeze_labels


def volume_from(bound: BoundVolume) -> HVolume:
    volume = bound.data_model
    return HVolume(
        id=int(volume.id or 0), name=str(volume.name), size=int(volume.size or 0),
        location=str(volume.location.name) if volume.location else "",
        server_id=int(volume.server.id or 0) if volume.server is not None else None,
        labels=freeze_labels(volume.labels), status=str(volume.status or ""),
        linux_device=str(volume.linux_device or ""),
        created=created_at(volume.created), format=volume.format,
        delete_protected=bool(volume.protection and volume.protection["delete"]),
    )


class VolumesMixin(GatewayCore):
    def find_volumes(self, label_selector: str) -> list[HVolume]:
        found = self._pages("volumes.get_list", lambda page, per_page: self._client.volumes.get_list(
            label_selector=label_selector, page=page, per_page=per_page))
        return [volume_from(v) for v in found]

    def get_volume(self, volume_id: int) -> HVolume:
        return volume_from(self._call("volumes.get_by_id", lambda: self._client.volumes.get_by_id(volume_id)))

    def create_volume(
        self, *, name: str, size: int, location: str, labels: Mapping[str, str], format: str | None = None
    ) -> HCreated[HVolume]:
        """``POST /volumes`` (detached; ``attach_volume`` afterwards). ``format`` is ext4, xfs or None."""
        if size <= 0:  # hcloud raises ValueError before sending; answer as Hetzner would
            raise HetznerRejected("invalid_input", "size must be greater than 0")
        response = self._call("volumes.create", lambda: self._client.volumes.create(
            size, name, labels=dict(labels),  # type: ignore[arg-type]  # hcloud 2.27 annotates labels as str
            location=Location(name=location), format=format))
        return HCreated(volume_from(response.volume), optional_action(response.action))

    def update_volume(
        self, volume_id: int, *, name: str | None = None, labels: Mapping[str, str] | None = None
    ) -> HVolume:
        """``PUT /volumes/{id}``; ``labels`` replaces all labels."""
        updated = self._call("volumes.update", lambda: self._client.volumes.update(
            Volume(id=volume_id), name=name, labels=dict(labels) if labels is not None else None))
        return volume_from(updated)

    def delete_volume(self, volume_id: int) -> None:
        """Only a detached volume can be deleted."""
        self._call("volumes.delete", lambda: self._client.volumes.delete(Volume(id=volume_id)))

    def attach_volume(self, volume_id: int, server_id: int, *, automount: bool = False) -> HAction:
        return action_from(self._call("volumes.attach", lambda: self._client.volumes.attach(
            Volume(id=volume_id), Server(id=server_id), automount=automount)))

    def detach_volume(self, volume_id: int) -> HAction:
        return action_from(self._call("volumes.detach", lambda: self._client.volumes.detach(Volume(id=volume_id))))

    def resize_volume(self, volume_id: int, size: int) -> HAction:
        """Volumes only grow: a size not above the current one is rejected."""
        return action_from(self._call("volumes.resize", lambda: self._client.volumes.resize(
            Volume(id=volume_id), size)))
