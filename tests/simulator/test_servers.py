"""Server lifecycles through hcloud: create, power, type change, snapshots, protection, deletion."""

from __future__ import annotations

import hcloud
import pytest
from hcloud.images import Image
from hcloud.locations import Location
from hcloud.placement_groups import PlacementGroup
from hcloud.server_types import ServerType
from hcloud.servers import ServerCreatePublicNetwork
from hcloud.ssh_keys import SSHKey

from secapi_hetzner.simulator import SimState
from tests.simulator.conftest import TOKEN
from tests.simulator.helpers import create_server, public_key, stopped_server


def _error(call: object, *args: object, **kwargs: object) -> hcloud.APIException:
    with pytest.raises(hcloud.APIException) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    return raised.value


def test_create_reports_actions_and_becomes_running(client: hcloud.Client) -> None:
    response = client.servers.create(
        "web-1", server_type=ServerType(name="cpx21"), image=Image(name="ubuntu-24.04"),
        location=Location(name="ash"), labels={"role": "web"}, user_data="#cloud-config\n",
    )  # fmt: skip

    assert response.server.status == "initializing"
    assert (response.action.command, response.action.status) == ("create_server", "running")
    assert [a.command for a in response.next_actions] == ["start_server"]
    assert response.root_password
    response.action.wait_until_finished()
    server = client.servers.get_by_id(response.server.id)
    assert server.status == "running" and server.locked is False
    assert (server.server_type.name, server.location.name, server.image.name) == (
        "cpx21",
        "ash",
        "ubuntu-24.04",
    )
    assert server.primary_disk_size == 80 and server.labels == {"role": "web"}
    assert server.public_net.ipv4.ip and server.public_net.ipv6.ip.endswith("::/64")
    primary = client.primary_ips.get_by_id(server.public_net.primary_ipv4.id)
    assert (primary.ip, primary.assignee_id, primary.auto_delete) == (
        server.public_net.ipv4.ip,
        server.id,
        True,
    )
    assert server.included_traffic == 1024**4


def test_create_without_location_picks_an_available_one(client: hcloud.Client) -> None:
    response = client.servers.create("a", server_type=ServerType(name="cax11"), image=Image(name="debian-12"))

    assert response.server.location.name == "fsn1"
    assert response.server.image.architecture == "arm"


def test_ssh_keys_suppress_the_root_password(client: hcloud.Client) -> None:
    key = client.ssh_keys.create("me", public_key("me"))
    response = client.servers.create(
        "a",
        server_type=ServerType(name="cx23"),
        image=Image(name="debian-12"),
        ssh_keys=[SSHKey(name=key.name)],
    )

    assert response.root_password is None


def test_start_after_create_false_leaves_it_off(client: hcloud.Client) -> None:
    assert stopped_server(client, "off-1").status == "off"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"server_type": "cx99"}, "invalid_input"),
        ({"image": "windows-95"}, "invalid_input"),
        ({"server_type": "cx23", "location": "ash"}, "invalid_input"),
        ({"server_type": "cax41", "location": "hel1", "image": "debian-12"}, "resource_unavailable"),
        ({"name": "not a hostname"}, "invalid_input"),
        ({"public_net": {"enable_ipv4": False, "enable_ipv6": False}}, "invalid_input"),
        ({"placement_group": 1}, "invalid_input"),
    ],
)
def test_create_rejects_bad_references(client: hcloud.Client, options: dict[str, object], code: str) -> None:
    body = {"name": "x", "server_type": "cpx11", "image": "ubuntu-24.04", "location": "fsn1", **options}

    assert _error(client.request, "POST", "/servers", json=body).code == code
    assert client.servers.get_all() == []


def test_names_are_unique(client: hcloud.Client) -> None:
    create_server(client, "web")

    error = _error(create_server, client, "web")
    assert error.code == "uniqueness_error"


def test_power_cycle(client: hcloud.Client) -> None:
    server = create_server(client, "web")

    server.shutdown().wait_until_finished()
    assert client.servers.get_by_id(server.id).status == "off"
    action = server.power_on()
    assert client.servers.get_by_id(server.id).status == "running"
    for act in (server.reboot(), server.reset(), server.power_off()):
        act.wait_until_finished()
    assert client.servers.get_by_id(server.id).status == "off"
    commands = [a.command for a in server.get_actions()]
    assert commands == ["create_server", "start_server", "shutdown_server", "start_server", "reboot_server",
                        "reset_server", "stop_server"]  # fmt: skip
    assert client.servers.actions.get_by_id(action.id).command == "start_server"


def test_change_type_requires_a_stopped_server(client: hcloud.Client) -> None:
    server = create_server(client, "web")

    error = _error(server.change_type, ServerType(name="cx33"), upgrade_disk=True)
    assert error.code == "server_not_stopped"

    server.power_off().wait_until_finished()
    server.change_type(ServerType(name="cx33"), upgrade_disk=False).wait_until_finished()
    changed = client.servers.get_by_id(server.id)
    assert (changed.server_type.name, changed.primary_disk_size) == ("cx33", 40)
    server.change_type(ServerType(name="cx53"), upgrade_disk=True).wait_until_finished()
    assert client.servers.get_by_id(server.id).primary_disk_size == 320


@pytest.mark.parametrize("target", ["cax21", "cx23", "nope"])
def test_change_type_to_an_unfit_type(client: hcloud.Client, target: str) -> None:
    server = stopped_server(client, "web", server_type="cx33")
    server.change_type(ServerType(name="cx43"), upgrade_disk=True).wait_until_finished()

    assert (
        _error(server.change_type, ServerType(name=target), upgrade_disk=False).code == "invalid_server_type"
    )


def test_snapshot_lifecycle(client: hcloud.Client) -> None:
    server = create_server(client, "web", image="rocky-9")
    response = server.create_image(description="before upgrade", labels={"kind": "backup"})

    assert response.image.status == "creating" and response.image.type == "snapshot"
    assert {r["type"] for r in response.action.resources} == {"server", "image"}
    response.action.wait_until_finished()
    image = client.images.get_by_id(response.image.id)
    assert image.status == "available" and image.created_from.id == server.id and image.bound_to is None
    assert (image.os_flavor, image.disk_size, image.architecture) == ("rocky", 40, "x86")
    assert image.image_size is not None and image.image_size < image.disk_size
    assert [i.id for i in client.images.get_all(type=["snapshot"], label_selector="kind=backup")] == [
        image.id
    ]

    client.images.update(image, description="renamed", labels={})
    assert client.images.get_by_id(image.id).description == "renamed"
    client.images.change_protection(image, delete=True).wait_until_finished()
    assert _error(client.images.delete, image).code == "protected"
    client.images.change_protection(image, delete=False).wait_until_finished()
    server.delete().wait_until_finished()
    assert client.images.get_by_id(image.id).created_from.name == "web"  # snapshots outlive their server
    assert client.images.delete(image) is True
    assert client.images.get_all(type=["snapshot"]) == []


def test_server_from_snapshot_and_rebuild(client: hcloud.Client) -> None:
    server = create_server(client, "web")
    response = server.create_image()
    response.action.wait_until_finished()

    clone = create_server(client, "clone", image=str(response.image.id))
    assert clone.image.id == response.image.id
    rebuilt = clone.rebuild(Image(name="debian-13"))
    assert rebuilt.action.command == "rebuild_server" and rebuilt.root_password
    rebuilt.action.wait_until_finished()
    assert client.servers.get_by_id(clone.id).image.name == "debian-13"
    assert client.servers.get_by_id(clone.id).status == "running"


def test_backup_images_go_with_their_server(client: hcloud.Client) -> None:
    server = create_server(client, "web")
    server.create_image(type="backup").action.wait_until_finished()

    assert client.images.get_all(type=["backup"])[0].bound_to.id == server.id
    server.delete().wait_until_finished()
    assert client.images.get_all(type=["backup"]) == []


def test_protection(client: hcloud.Client) -> None:
    server = create_server(client, "web")

    assert _error(server.change_protection, delete=True, rebuild=False).code == "invalid_input"
    server.change_protection(delete=True, rebuild=True).wait_until_finished()
    assert client.servers.get_by_id(server.id).protection == {"delete": True, "rebuild": True}
    assert _error(server.delete).code == "protected"
    assert _error(server.rebuild, Image(name="debian-12")).code == "protected"
    server.change_protection(delete=False, rebuild=False).wait_until_finished()
    server.delete().wait_until_finished()
    assert client.servers.get_all() == []


def test_locked_while_an_action_runs(state: SimState, client: hcloud.Client) -> None:
    state.set_action_timing(manual=True)
    response = client.servers.create(
        "web", server_type=ServerType(name="cx23"), image=Image(name="debian-12")
    )

    error = _error(client.servers.power_off, response.server)
    assert (error.code, error.message.startswith("server with ID")) == ("locked", True)
    assert _error(client.servers.delete, response.server).code == "locked"
    for action in [response.action, *response.next_actions]:
        state.complete_action(action.id)
    state.set_action_timing(0)
    client.servers.power_off(response.server).wait_until_finished()


def test_delete_cleans_up_what_belongs_to_the_server(state: SimState, client: hcloud.Client) -> None:
    server = create_server(client, "web")
    state.set_action_timing(manual=True)
    action = server.delete()

    assert action.command == "delete_server"
    assert client.servers.get_by_id(server.id).status == "deleting"
    state.complete_action(action.id)
    assert _error(client.servers.get_by_id, server.id).code == "not_found"
    assert state.dump()["projects"][TOKEN]["primary_ips"] == []


def test_given_primary_ips_survive_the_server(client: hcloud.Client) -> None:
    ip = client.primary_ips.create("ipv4", "ip4", location=Location(name="fsn1")).primary_ip
    public_net = ServerCreatePublicNetwork(ipv4=ip, enable_ipv6=False)
    server = create_server(client, "web", public_net=public_net)

    assert server.public_net.primary_ipv4.id == ip.id and server.public_net.ipv6 is None
    server.delete().wait_until_finished()
    assert client.primary_ips.get_by_id(ip.id).assignee_id is None


def test_update_name_and_labels(client: hcloud.Client) -> None:
    server = create_server(client, "web")

    updated = server.update(name="web-2", labels={"a": "b"})
    assert (updated.name, updated.labels) == ("web-2", {"a": "b"})
    assert client.servers.get_all(label_selector="a=b")[0].id == server.id
    assert client.servers.get_all(status=["running"])[0].id == server.id
    assert client.servers.get_all(status=["off"]) == []


def test_placement_groups_hold_at_most_ten_servers(client: hcloud.Client) -> None:
    group = client.placement_groups.create("spread", "spread").placement_group
    for i in range(10):
        create_server(client, f"s{i}", wait=False, placement_group=PlacementGroup(id=group.id))

    assert len(client.placement_groups.get_by_id(group.id).servers) == 10
    assert client.servers.get_by_name("s0").placement_group.id == group.id
    error = _error(create_server, client, "s10", placement_group=PlacementGroup(id=group.id))
    assert error.code == "placement_error"


def test_add_and_remove_from_placement_group(client: hcloud.Client) -> None:
    group = client.placement_groups.create("spread", "spread").placement_group
    server = create_server(client, "web")

    assert _error(server.add_to_placement_group, group).code == "server_not_stopped"
    server.power_off().wait_until_finished()
    server.add_to_placement_group(group).wait_until_finished()
    assert client.placement_groups.get_by_id(group.id).servers == [server.id]
    server.remove_from_placement_group().wait_until_finished()
    assert client.placement_groups.get_by_id(group.id).servers == []
    client.placement_groups.delete(group)
    assert client.placement_groups.get_all() == []


def test_rescue_backup_password_console_and_dns(client: hcloud.Client) -> None:
    server = create_server(client, "web")

    assert server.enable_rescue().root_password
    assert client.servers.get_by_id(server.id).rescue_enabled is True
    server.disable_rescue().wait_until_finished()
    server.enable_backup().wait_until_finished()
    assert client.servers.get_by_id(server.id).backup_window
    server.disable_backup().wait_until_finished()
    assert server.reset_password().root_password
    console = server.request_console()
    assert console.wss_url.startswith("wss://") and console.password
    ipv4 = server.public_net.ipv4.ip
    server.change_dns_ptr(ipv4, "web.example.com").wait_until_finished()
    assert client.servers.get_by_id(server.id).public_net.ipv4.dns_ptr == "web.example.com"
    assert _error(server.change_dns_ptr, "1.2.3.4", "x.example.com").code == "invalid_input"
