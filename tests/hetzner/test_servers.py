"""Servers through the gateway: create, read, find by label, update, power, type change, snapshot, delete."""

from __future__ import annotations

from datetime import datetime

import pytest

from secapi_hetzner.hetzner import Gateway, HAction, HCreated, HetznerNotFound, HetznerRejected, HServer
from secapi_hetzner.simulator import RunningSimulator
from tests.hetzner.conftest import SYSTEM_IMAGE, TOKEN, make_server, public_key, wait


def test_create_server_returns_the_server_and_its_running_action(gateway: Gateway) -> None:
    created = gateway.create_server(name="web-1", server_type="cx23", image=SYSTEM_IMAGE, location="fsn1",
                                    labels={"secapi.cloud/id": "abc", "tier": "web"}, user_data="#cloud-config\n")
    assert isinstance(created, HCreated) and isinstance(created, tuple)
    server, action = created
    assert isinstance(server, HServer) and isinstance(action, HAction)
    assert (server.name, server.server_type, server.location, server.image) == ("web-1", "cx23", "fsn1", SYSTEM_IMAGE)
    assert server.status == "initializing" and server.locked
    assert dict(server.labels) == {"secapi.cloud/id": "abc", "tier": "web"}
    assert server.labels == (("secapi.cloud/id", "abc"), ("tier", "web"))  # sorted pairs
    assert server.ipv4 and server.ipv6 and server.ipv6.endswith("/64")
    assert server.primary_disk_size == 40 and isinstance(server.created, datetime)
    assert (action.command, action.status, action.error_code) == ("create_server", "running", None)
    done = wait(gateway, action)
    assert done.succeeded and done.progress == 100 and not done.failed
    after = gateway.get_server(server.id)
    assert (after.status, after.locked, after.delete_protected) == ("off", False, False)


def test_start_after_create_ends_running(gateway: Gateway) -> None:
    server = make_server(gateway, start_after_create=True)
    # the create action's success settles start_server too (the simulator's next read)
    assert gateway.get_server(server.id).status == "running"


def test_create_with_references(gateway: Gateway) -> None:
    volume, _ = gateway.create_volume(name="data-1", size=10, location="fsn1", labels={})
    group = gateway.create_placement_group(name="spread-1", labels={})
    key = gateway.create_ssh_key(name="k1", public_key=public_key("servers"), labels={})
    server = make_server(gateway, volume_ids=(volume.id,), placement_group_id=group.id, ssh_key_ids=(key.id,))
    assert server.volume_ids == (volume.id,)
    assert server.placement_group_id == group.id
    assert gateway.get_volume(volume.id).server_id == server.id
    assert gateway.find_placement_groups("")[0].server_ids == (server.id,)


def test_find_servers_by_label_selector(gateway: Gateway) -> None:
    a = make_server(gateway, "a", labels={"secapi.cloud/id": "a", "tier": "web"})
    b = make_server(gateway, "b", labels={"secapi.cloud/id": "b", "tier": "db"})
    assert [s.id for s in gateway.find_servers("secapi.cloud/id=a")] == [a.id]
    assert [s.id for s in gateway.find_servers("tier in (web,db)")] == [a.id, b.id]
    assert [s.id for s in gateway.find_servers("tier!=web")] == [b.id]
    assert gateway.find_servers("secapi.cloud/id=nobody") == []


def test_update_server_renames_and_replaces_labels(gateway: Gateway) -> None:
    server = make_server(gateway, labels={"a": "1", "b": "2"})
    renamed = gateway.update_server(server.id, name="web-2")
    assert renamed.name == "web-2" and dict(renamed.labels) == {"a": "1", "b": "2"}
    relabelled = gateway.update_server(server.id, labels={"c": "3"})
    assert relabelled.name == "web-2" and relabelled.labels == (("c", "3"),)
    assert gateway.get_server(server.id) == relabelled


@pytest.mark.parametrize(("method", "command", "after"), [
    ("power_on", "start_server", "running"),
    ("power_off", "stop_server", "off"),
    ("shutdown", "shutdown_server", "off"),
    ("reboot", "reboot_server", "running"),
])
def test_power_actions(gateway: Gateway, method: str, command: str, after: str) -> None:
    server = make_server(gateway, start_after_create=method != "power_on")
    action = getattr(gateway, method)(server.id)
    assert isinstance(action, HAction) and action.command == command and action.running
    assert wait(gateway, action).succeeded
    assert gateway.get_server(server.id).status == after


def test_change_type(gateway: Gateway) -> None:
    server = make_server(gateway)
    action = gateway.change_type(server.id, "cx33", upgrade_disk=False)
    assert action.command == "change_server_type" and wait(gateway, action).succeeded
    changed = gateway.get_server(server.id)
    assert (changed.server_type, changed.primary_disk_size) == ("cx33", 40)
    assert wait(gateway, gateway.change_type(server.id, "cx43", upgrade_disk=True)).succeeded
    assert gateway.get_server(server.id).primary_disk_size == 160


def test_change_type_of_a_running_server_is_rejected(gateway: Gateway) -> None:
    server = make_server(gateway, start_after_create=True)
    with pytest.raises(HetznerRejected) as caught:
        gateway.change_type(server.id, "cx33", upgrade_disk=False)
    assert caught.value.code == "server_not_stopped"


def test_create_snapshot_and_a_server_from_it(gateway: Gateway) -> None:
    server = make_server(gateway)
    snapshot, action = gateway.create_snapshot(server.id, description="before upgrade", labels={"k": "v"})
    assert (snapshot.type, snapshot.status, snapshot.description) == ("snapshot", "creating", "before upgrade")
    assert snapshot.created_from_server_id == server.id and snapshot.labels == (("k", "v"),)
    assert action.command == "create_image" and wait(gateway, action).succeeded
    assert gateway.get_image(snapshot.id).status == "available"
    clone = make_server(gateway, "clone", image=snapshot.id)
    assert clone.image == str(snapshot.id)


def test_delete_server(gateway: Gateway, simulator: RunningSimulator) -> None:
    server = make_server(gateway)
    simulator.state.set_action_timing(manual=True)  # hold the action so "deleting" can be seen
    action = gateway.delete_server(server.id)
    assert action.command == "delete_server"
    assert gateway.get_server(server.id).status == "deleting"
    simulator.state.complete_action(action.id)
    assert gateway.get_action(action.id).succeeded
    with pytest.raises(HetznerNotFound):
        gateway.get_server(server.id)
    assert simulator.state.dump(TOKEN)["projects"][TOKEN]["servers"] == []
