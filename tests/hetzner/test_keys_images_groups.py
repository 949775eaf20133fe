"""SSH keys, snapshots (images) and placement groups through the gateway."""

from __future__ import annotations

import pytest

from secapi_hetzner.hetzner import Gateway, HetznerNotFound, HetznerRejected, HPlacementGroup, HSnapshot, HSshKey
from tests.hetzner.conftest import SYSTEM_IMAGE, make_server, md5_fingerprint, public_key, wait


def test_ssh_key_create_find_by_label_and_fingerprint_delete(gateway: Gateway) -> None:
    material = public_key("alice")
    key = gateway.create_ssh_key(name="alice", public_key=material, labels={"owner": "alice"})
    assert isinstance(key, HSshKey)
    assert (key.name, key.public_key, key.labels) == ("alice", material, (("owner", "alice"),))
    assert key.fingerprint == md5_fingerprint(material)
    other = gateway.create_ssh_key(name="bob", public_key=public_key("bob"), labels={"owner": "bob"})
    assert gateway.find_ssh_keys("owner=alice") == [key]
    assert [k.id for k in gateway.find_ssh_keys("owner")] == [key.id, other.id]
    assert gateway.get_ssh_key_by_fingerprint(key.fingerprint) == key
    assert gateway.delete_ssh_key(key.id) is None  # type: ignore[func-returns-value]
    assert gateway.get_ssh_key_by_fingerprint(key.fingerprint) is None
    with pytest.raises(HetznerNotFound):
        gateway.delete_ssh_key(key.id)


def test_ssh_key_uniqueness_and_validation_are_rejections(gateway: Gateway) -> None:
    material = public_key("carol")
    gateway.create_ssh_key(name="carol", public_key=material, labels={})
    with pytest.raises(HetznerRejected) as same_key:
        gateway.create_ssh_key(name="carol-2", public_key=material, labels={})
    assert same_key.value.code == "uniqueness_error"
    with pytest.raises(HetznerRejected) as same_name:
        gateway.create_ssh_key(name="carol", public_key=public_key("dave"), labels={})
    assert same_name.value.code == "uniqueness_error"
    with pytest.raises(HetznerRejected) as malformed:
        gateway.create_ssh_key(name="bad", public_key="ssh-ed25519 not-base64", labels={})
    assert malformed.value.code == "invalid_input"


def test_snapshots_find_update_delete(gateway: Gateway) -> None:
    server = make_server(gateway)
    first, action = gateway.create_snapshot(server.id, description="one", labels={"secapi.cloud/id": "s1"})
    assert wait(gateway, action).succeeded
    second, action = gateway.create_snapshot(server.id, description="two", labels={"secapi.cloud/id": "s2"})
    assert wait(gateway, action).succeeded
    assert [s.id for s in gateway.find_snapshots("secapi.cloud/id")] == [first.id, second.id]
    found = gateway.find_snapshots("secapi.cloud/id=s2")
    assert [s.id for s in found] == [second.id] and isinstance(found[0], HSnapshot)
    snapshot = gateway.get_image(first.id)
    assert (snapshot.type, snapshot.status, snapshot.created_from_server_id) == ("snapshot", "available", server.id)
    assert snapshot.disk_size_gb == 40 and snapshot.image_size_gb and snapshot.architecture == "x86"
    updated = gateway.update_image(first.id, description="renamed", labels={"kept": "yes"})
    assert (updated.description, updated.labels) == ("renamed", (("kept", "yes"),))
    assert gateway.update_image(first.id, labels={}).labels == ()
    assert gateway.get_image(first.id).description == "renamed"
    assert gateway.delete_image(first.id) is None  # type: ignore[func-returns-value]
    with pytest.raises(HetznerNotFound):
        gateway.get_image(first.id)


def test_get_image_shows_a_system_image_without_touching_deprecated_fields(gateway: Gateway) -> None:
    system = next(i for i in gateway.list_system_images() if i.name == SYSTEM_IMAGE and i.architecture == "x86")
    shown = gateway.get_image(system.id)
    assert (shown.id, shown.type, shown.created_from_server_id) == (system.id, "system", None)
    with pytest.raises(HetznerRejected):  # system images belong to Hetzner
        gateway.delete_image(system.id)


def test_placement_groups(gateway: Gateway) -> None:
    group = gateway.create_placement_group(name="spread-1", labels={"secapi.cloud/id": "pg"})
    assert isinstance(group, HPlacementGroup)
    assert (group.name, group.type, group.server_ids, group.labels) == (
        "spread-1", "spread", (), (("secapi.cloud/id", "pg"),))
    gateway.create_placement_group(name="spread-2", labels={})
    assert gateway.find_placement_groups("secapi.cloud/id=pg") == [group]
    assert gateway.get_placement_group(group.id) == group
    server = make_server(gateway, placement_group_id=group.id)
    assert gateway.get_placement_group(group.id).server_ids == (server.id,)
    with pytest.raises(HetznerRejected) as duplicate:
        gateway.create_placement_group(name="spread-1", labels={})
    assert duplicate.value.code == "uniqueness_error"
    assert gateway.delete_placement_group(group.id) is None  # type: ignore[func-returns-value]
    with pytest.raises(HetznerNotFound):
        gateway.get_placement_group(group.id)
    assert gateway.get_server(server.id).placement_group_id is None
