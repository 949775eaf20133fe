"""Volumes through the gateway: create, read, find by label, update, attach, detach, resize, delete."""

from __future__ import annotations

from datetime import datetime

import pytest

from secapi_hetzner.hetzner import Gateway, HAction, HetznerNotFound, HetznerRejected, HVolume
from tests.hetzner.conftest import make_server, wait


def make_volume(gateway: Gateway, name: str = "data-1", **labels: str) -> HVolume:
    volume, action = gateway.create_volume(name=name, size=10, location="fsn1", labels=labels or {"id": name})
    assert wait(gateway, action).succeeded
    return gateway.get_volume(volume.id)


def test_create_volume(gateway: Gateway) -> None:
    volume, action = gateway.create_volume(name="data-1", size=20, location="fsn1",
                                           labels={"secapi.cloud/id": "v1"}, format="ext4")
    assert isinstance(volume, HVolume) and isinstance(action, HAction)
    assert (volume.name, volume.size, volume.location, volume.server_id) == ("data-1", 20, "fsn1", None)
    assert (volume.status, volume.format, volume.delete_protected) == ("creating", "ext4", False)
    assert volume.labels == (("secapi.cloud/id", "v1"),) and isinstance(volume.created, datetime)
    assert volume.linux_device == f"/dev/disk/by-id/scsi-0HC_Volume_{volume.id}"
    assert action.command == "create_volume" and wait(gateway, action).succeeded
    assert gateway.get_volume(volume.id).status == "available"


def test_create_volume_without_format(gateway: Gateway) -> None:
    assert make_volume(gateway).format is None


def test_a_size_hcloud_refuses_locally_is_a_rejection(gateway: Gateway) -> None:
    with pytest.raises(HetznerRejected) as caught:  # not hcloud's ValueError
        gateway.create_volume(name="zero", size=0, location="fsn1", labels={})
    assert caught.value.code == "invalid_input"
    with pytest.raises(HetznerRejected):  # below Hetzner's 10 GB minimum: Hetzner's own answer
        gateway.create_volume(name="tiny", size=5, location="fsn1", labels={})


def test_find_volumes_by_label_selector(gateway: Gateway) -> None:
    a = make_volume(gateway, "a", app="x", env="prod")
    b = make_volume(gateway, "b", app="x")
    assert [v.id for v in gateway.find_volumes("app=x")] == [a.id, b.id]
    assert [v.id for v in gateway.find_volumes("app=x,!env")] == [b.id]
    assert gateway.find_volumes("app=y") == []


def test_update_volume(gateway: Gateway) -> None:
    volume = make_volume(gateway)
    assert gateway.update_volume(volume.id, name="data-2").name == "data-2"
    updated = gateway.update_volume(volume.id, labels={"new": "yes"})
    assert (updated.name, updated.labels) == ("data-2", (("new", "yes"),))
    assert gateway.get_volume(volume.id) == updated


def test_attach_detach_resize_delete(gateway: Gateway) -> None:
    volume = make_volume(gateway)
    server = make_server(gateway)
    attach = gateway.attach_volume(volume.id, server.id, automount=True)
    assert attach.command == "attach_volume" and wait(gateway, attach).succeeded
    assert gateway.get_volume(volume.id).server_id == server.id
    assert gateway.get_server(server.id).volume_ids == (volume.id,)
    with pytest.raises(HetznerRejected):  # an attached volume cannot be deleted
        gateway.delete_volume(volume.id)
    resize = gateway.resize_volume(volume.id, 50)
    assert resize.command == "resize_volume" and wait(gateway, resize).succeeded
    assert gateway.get_volume(volume.id).size == 50
    with pytest.raises(HetznerRejected):  # volumes only grow
        gateway.resize_volume(volume.id, 20)
    detach = gateway.detach_volume(volume.id)
    assert detach.command == "detach_volume" and wait(gateway, detach).succeeded
    assert gateway.get_volume(volume.id).server_id is None
    assert gateway.delete_volume(volume.id) is None  # type: ignore[func-returns-value]
    with pytest.raises(HetznerNotFound):
        gateway.get_volume(volume.id)


def test_attach_to_a_server_in_another_location_is_rejected(gateway: Gateway) -> None:
    volume, _ = gateway.create_volume(name="far", size=10, location="nbg1", labels={})
    server = make_server(gateway)
    with pytest.raises(HetznerRejected) as caught:
        gateway.attach_volume(volume.id, server.id)
    assert caught.value.code == "invalid_input"
