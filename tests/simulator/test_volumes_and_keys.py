"""Volumes (size, location rule, attach/detach, grow-only resize, deletion) and SSH keys."""

from __future__ import annotations

import hcloud
import pytest
from hcloud.locations import Location

from tests.simulator.helpers import create_server, md5_fingerprint, public_key


def _error(call: object, *args: object, **kwargs: object) -> hcloud.APIException:
    with pytest.raises(hcloud.APIException) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    return raised.value


def test_volume_lifecycle(client: hcloud.Client) -> None:
    response = client.volumes.create(
        20, "data", location=Location(name="nbg1"), format="ext4", labels={"a": "b"}
    )

    assert response.volume.status == "creating" and response.action.command == "create_volume"
    response.action.wait_until_finished()
    volume = client.volumes.get_by_id(response.volume.id)
    assert (volume.status, volume.size, volume.location.name, volume.format) == (
        "available",
        20,
        "nbg1",
        "ext4",
    )
    assert volume.linux_device == f"/dev/disk/by-id/scsi-0HC_Volume_{volume.id}" and volume.server is None
    assert client.volumes.get_all(label_selector="a=b")[0].id == volume.id

    volume.update(name="data-2")
    assert client.volumes.get_by_name("data-2").id == volume.id
    assert volume.delete() is True
    assert client.volumes.get_all() == []


@pytest.mark.parametrize("size", [9, 10241])
def test_volume_size_limits(client: hcloud.Client, size: int) -> None:
    error = _error(client.volumes.create, size, "data", location=Location(name="fsn1"))

    assert error.code == "invalid_input" and error.details["fields"][0]["name"] == "size"


def test_volume_needs_location_or_server(client: hcloud.Client) -> None:
    error = _error(client.request, "POST", "/volumes", json={"name": "data", "size": 10})

    assert error.code == "invalid_input" and error.details["fields"][0]["name"] == "location"


def test_volume_created_on_a_server_is_attached(client: hcloud.Client) -> None:
    server = create_server(client, "web", location="hel1")
    response = client.volumes.create(10, "data", server=server, automount=True)

    assert [a.command for a in response.next_actions] == ["attach_volume"]
    assert response.volume.location.name == "hel1"
    client.actions.get_by_id(response.next_actions[0].id)  # the attach ends (the next read settles it) …
    attached = client.volumes.get_by_id(response.volume.id)
    assert attached.server is not None and attached.server.id == server.id  # … and the volume is attached
    assert client.servers.get_by_id(server.id).volumes[0].id == response.volume.id


def test_attach_needs_the_same_location(client: hcloud.Client) -> None:
    server = create_server(client, "web", location="fsn1")
    volume = client.volumes.create(10, "data", location=Location(name="nbg1")).volume

    error = _error(volume.attach, server)
    assert error.code == "invalid_input" and "location" in error.message


def test_attach_detach_and_delete_rules(client: hcloud.Client) -> None:
    server = create_server(client, "web")
    other = create_server(client, "db")
    volume = client.volumes.create(10, "data", location=Location(name="fsn1")).volume

    action = volume.attach(server, automount=False)
    assert {r["type"] for r in action.resources} == {"volume", "server"}
    action.wait_until_finished()
    assert _error(volume.attach, other).code == "volume_already_attached"
    error = _error(volume.delete)
    assert error.code == "service_error" and "still attached" in error.message
    volume.detach().wait_until_finished()
    assert client.volumes.get_by_id(volume.id).server is None
    assert client.servers.get_by_id(server.id).volumes == []
    assert volume.delete() is True


def test_resize_only_grows(client: hcloud.Client) -> None:
    volume = client.volumes.create(50, "data", location=Location(name="fsn1")).volume

    volume.resize(60).wait_until_finished()
    assert client.volumes.get_by_id(volume.id).size == 60
    assert _error(volume.resize, 60).code == "invalid_input"
    assert _error(volume.resize, 20).code == "invalid_input"


def test_volume_protection(client: hcloud.Client) -> None:
    volume = client.volumes.create(10, "data", location=Location(name="fsn1")).volume

    volume.change_protection(delete=True).wait_until_finished()
    assert client.volumes.get_by_id(volume.id).protection == {"delete": True}
    assert _error(volume.delete).code == "protected"


def test_deleting_a_server_detaches_its_volumes(client: hcloud.Client) -> None:
    server = create_server(client, "web")
    volume = client.volumes.create(10, "data", server=server).volume

    server.delete().wait_until_finished()
    assert client.volumes.get_by_id(volume.id).server is None
    assert client.volumes.get_by_id(volume.id).status == "available"


def test_ssh_key_fingerprint_and_uniqueness(client: hcloud.Client) -> None:
    key = public_key("alice")
    created = client.ssh_keys.create("alice", key, labels={"team": "a"})

    assert created.fingerprint == md5_fingerprint(key)
    assert client.ssh_keys.get_by_fingerprint(created.fingerprint).id == created.id
    assert client.ssh_keys.get_by_name("alice").public_key == key
    assert _error(client.ssh_keys.create, "alice", public_key("bob")).code == "uniqueness_error"
    duplicate = _error(client.ssh_keys.create, "alice-2", key)
    assert (duplicate.code, duplicate.details) == ("uniqueness_error", {"fields": [{"name": "fingerprint"}]})


@pytest.mark.parametrize("key", ["not a key", "ssh-rsa !!!", "ssh-rsa " + public_key("x").split()[1]])
def test_invalid_ssh_keys(client: hcloud.Client, key: str) -> None:
    error = _error(client.ssh_keys.create, "k", key)

    assert error.code == "invalid_input" and error.details["fields"][0]["name"] == "public_key"


def test_ssh_key_update_and_delete(client: hcloud.Client) -> None:
    key = client.ssh_keys.create("alice", public_key("alice"))

    assert key.update(name="alice-2", labels={"x": "y"}).labels == {"x": "y"}
    assert client.ssh_keys.get_all(label_selector="x") != []
    assert key.delete() is True
    assert _error(client.ssh_keys.get_by_id, key.id).code == "not_found"
