"""Networks, server attachments, firewalls, Primary IPs and Floating IPs through hcloud."""

from __future__ import annotations

import hcloud
import pytest
from hcloud.firewalls import FirewallResource, FirewallResourceLabelSelector, FirewallRule
from hcloud.locations import Location
from hcloud.networks import NetworkRoute, NetworkSubnet

from tests.simulator.helpers import create_server, stopped_server


def _error(call: object, *args: object, **kwargs: object) -> hcloud.APIException:
    with pytest.raises(hcloud.APIException) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    return raised.value


def _network(client: hcloud.Client, zone: str = "eu-central") -> hcloud.networks.BoundNetwork:
    subnet = NetworkSubnet(ip_range="10.0.1.0/24", type="cloud", network_zone=zone)
    return client.networks.create("net", ip_range="10.0.0.0/16", subnets=[subnet], labels={"env": "test"})


def test_network_with_subnets_and_routes(client: hcloud.Client) -> None:
    network = _network(client)

    assert network.subnets[0].gateway == "10.0.0.1" and network.subnets[0].network_zone == "eu-central"
    network.add_subnet(
        NetworkSubnet(ip_range="10.0.2.0/24", type="cloud", network_zone="us-east")
    ).wait_until_finished()
    network.add_route(NetworkRoute(destination="10.100.1.0/24", gateway="10.0.1.10")).wait_until_finished()
    network.change_ip_range("10.0.0.0/15").wait_until_finished()
    reloaded = client.networks.get_by_id(network.id)
    assert [s.ip_range for s in reloaded.subnets] == ["10.0.1.0/24", "10.0.2.0/24"]
    assert [(r.destination, r.gateway) for r in reloaded.routes] == [("10.100.1.0/24", "10.0.1.10")]
    assert reloaded.ip_range == "10.0.0.0/15"
    network.delete_route(NetworkRoute(destination="10.100.1.0/24", gateway="10.0.1.10")).wait_until_finished()
    network.delete_subnet(NetworkSubnet(ip_range="10.0.2.0/24")).wait_until_finished()
    assert len(client.networks.get_by_id(network.id).subnets) == 1


@pytest.mark.parametrize(
    ("ip_range", "subnet"),
    [
        ("8.8.0.0/16", "8.8.1.0/24"),
        ("10.0.0.0/16", "10.1.0.0/24"),
        ("10.0.0.0/28", "10.0.0.0/29"),
        ("x", "y"),
    ],
)
def test_invalid_networks(client: hcloud.Client, ip_range: str, subnet: str) -> None:
    subnets = [NetworkSubnet(ip_range=subnet, type="cloud", network_zone="eu-central")]

    assert _error(client.networks.create, "net", ip_range=ip_range, subnets=subnets).code == "invalid_input"


def test_server_attachment(client: hcloud.Client) -> None:
    network = _network(client)
    server = create_server(client, "web")
    other = create_server(client, "db", networks=[network])

    server.attach_to_network(network, ip="10.0.1.50", alias_ips=["10.0.1.51"]).wait_until_finished()
    attached = client.servers.get_by_id(server.id).private_net[0]
    assert (attached.ip, attached.alias_ips, attached.network.id) == ("10.0.1.50", ["10.0.1.51"], network.id)
    assert attached.mac_address
    assert client.servers.get_by_id(other.id).private_net[0].ip == "10.0.1.1"
    assert sorted(s.id for s in client.networks.get_by_id(network.id).servers) == sorted(
        [server.id, other.id]
    )
    assert _error(server.attach_to_network, network).code == "server_already_attached"
    assert (
        _error(other.detach_from_network, client.networks.create("n2", ip_range="10.9.0.0/16")).code
        == "invalid_input"
    )
    assert _error(client.networks.delete, network).code == "service_error"

    server.change_alias_ips(network, ["10.0.1.52"]).wait_until_finished()
    assert client.servers.get_by_id(server.id).private_net[0].alias_ips == ["10.0.1.52"]
    server.detach_from_network(network).wait_until_finished()
    other.delete().wait_until_finished()
    assert client.networks.get_by_id(network.id).servers == []
    assert client.networks.delete(network) is True


def test_attachment_needs_a_subnet_in_the_zone_and_a_free_ip(client: hcloud.Client) -> None:
    network = _network(client, zone="us-east")
    server = create_server(client, "web")

    assert _error(server.attach_to_network, network).code == "no_subnet_available"
    network.add_subnet(NetworkSubnet(ip_range="10.0.9.0/24", type="cloud", network_zone="eu-central"))
    assert _error(server.attach_to_network, network, ip="10.0.0.1").code == "ip_not_available"


def test_network_protection(client: hcloud.Client) -> None:
    network = _network(client)

    network.change_protection(delete=True).wait_until_finished()
    assert _error(network.delete).code == "protected"
    assert network.update(name="renamed", labels={}).name == "renamed"


def test_firewalls(client: hcloud.Client) -> None:
    web = create_server(client, "web", labels={"role": "web"})
    db = create_server(client, "db", labels={"role": "db"})
    rules = [FirewallRule(direction="in", protocol="tcp", port="443", source_ips=["0.0.0.0/0", "::/0"])]
    by_label = FirewallResource(
        type="label_selector", label_selector=FirewallResourceLabelSelector("role=web")
    )
    response = client.firewalls.create("fw", rules=rules, resources=[by_label], labels={"a": "b"})

    assert [a.command for a in response.actions] == ["set_firewall_rules", "apply_firewall"]
    firewall = client.firewalls.get_by_id(response.firewall.id)
    assert firewall.applied_to[0].applied_to_resources[0].server.id == web.id
    assert [f.firewall.id for f in client.servers.get_by_id(web.id).public_net.firewalls] == [firewall.id]
    assert client.servers.get_by_id(db.id).public_net.firewalls == []

    direct = FirewallResource(type="server", server=db)
    firewall.apply_to_resources([direct])
    assert _error(firewall.apply_to_resources, [direct]).code == "firewall_already_applied"
    assert client.servers.get_by_id(db.id).public_net.firewalls[0].status == "applied"
    actions = firewall.set_rules(
        [FirewallRule(direction="out", protocol="icmp", destination_ips=["10.0.0.0/8"])]
    )
    assert actions[0].command == "set_firewall_rules"
    assert client.firewalls.get_by_id(firewall.id).rules[0].protocol == "icmp"
    assert _error(firewall.delete).code == "resource_in_use"
    firewall.remove_from_resources([direct, by_label])
    assert firewall.delete() is True


@pytest.mark.parametrize(
    "rule",
    [
        {"direction": "in", "protocol": "tcp", "port": "80"},
        {"direction": "in", "protocol": "tcp", "source_ips": ["0.0.0.0/0"]},
        {"direction": "in", "protocol": "icmp", "port": "80", "source_ips": ["0.0.0.0/0"]},
        {"direction": "in", "protocol": "tcp", "port": "70000", "source_ips": ["0.0.0.0/0"]},
        {"direction": "in", "protocol": "tcp", "port": "80", "source_ips": ["10.0.0.1/8"]},
        {"direction": "sideways", "protocol": "tcp", "port": "80", "source_ips": ["0.0.0.0/0"]},
    ],
)
def test_invalid_firewall_rules(client: hcloud.Client, rule: dict[str, object]) -> None:
    error = _error(client.request, "POST", "/firewalls", json={"name": "fw", "rules": [rule]})

    assert error.code == "invalid_input"


def test_firewall_follows_server_deletion(client: hcloud.Client) -> None:
    server = create_server(client, "web")
    firewall = client.firewalls.create(
        "fw", resources=[FirewallResource(type="server", server=server)]
    ).firewall

    server.delete().wait_until_finished()
    assert client.firewalls.get_by_id(firewall.id).applied_to == []


def test_primary_ip_lifecycle(client: hcloud.Client) -> None:
    ip = client.primary_ips.create("ipv4", "ip", location=Location(name="fsn1"), labels={"a": "b"}).primary_ip
    server = stopped_server(
        client, "web", public_net=hcloud.servers.ServerCreatePublicNetwork(enable_ipv4=False)
    )

    assert ip.assignee_id is None and ip.assignee_type == "unassigned" and ip.location.name == "fsn1"
    ip.assign(server.id, "server").wait_until_finished()
    assigned = client.primary_ips.get_by_id(ip.id)
    assert (assigned.assignee_id, assigned.assignee_type) == (server.id, "server")
    assert client.servers.get_by_id(server.id).public_net.ipv4.ip == ip.ip
    assert _error(ip.delete).code == "must_be_unassigned"
    ip.change_dns_ptr(ip.ip, "mail.example.com").wait_until_finished()
    assert client.primary_ips.get_by_id(ip.id).dns_ptr == [{"ip": ip.ip, "dns_ptr": "mail.example.com"}]
    server.power_on().wait_until_finished()
    assert _error(ip.unassign).code == "server_not_stopped"
    server.power_off().wait_until_finished()
    ip.unassign().wait_until_finished()
    assert ip.update(auto_delete=True, name="ip-2").auto_delete is True
    assert client.primary_ips.get_all(label_selector="a=b")[0].id == ip.id
    assert ip.delete() is True


def test_primary_ip_created_for_a_server(client: hcloud.Client) -> None:
    server = stopped_server(
        client, "web", public_net=hcloud.servers.ServerCreatePublicNetwork(enable_ipv6=False)
    )

    response = client.primary_ips.create("ipv6", "v6", assignee_id=server.id, assignee_type="server")
    assert response.primary_ip.location.name == "fsn1" and response.primary_ip.assignee_id == server.id
    assert client.servers.get_by_id(server.id).public_net.ipv6.ip == response.primary_ip.ip
    running = create_server(client, "running")
    error = _error(client.primary_ips.create, "ipv4", "v4", assignee_id=running.id, assignee_type="server")
    assert error.code == "server_not_stopped"


def test_primary_ip_assignment_rules(client: hcloud.Client) -> None:
    server = stopped_server(client, "web")
    in_nbg = client.primary_ips.create("ipv4", "far", location=Location(name="nbg1")).primary_ip
    second = client.primary_ips.create("ipv4", "second", location=Location(name="fsn1")).primary_ip

    assert _error(in_nbg.assign, server.id, "server").code == "invalid_input"
    assert _error(second.assign, server.id, "server").code == "server_has_ipv4"


def test_floating_ips(client: hcloud.Client) -> None:
    server = create_server(client, "web", location="nbg1")
    faraway = create_server(client, "faraway", server_type="cpx11", location="ash")
    floating = client.floating_ips.create(
        "ipv4", description="vip", home_location=Location(name="fsn1")
    ).floating_ip

    assert floating.home_location.name == "fsn1" and floating.server is None and floating.name
    floating.assign(server).wait_until_finished()
    assert client.floating_ips.get_by_id(floating.id).server.id == server.id
    assert client.servers.get_by_id(server.id).public_net.floating_ips[0].id == floating.id
    assert _error(floating.assign, faraway).code == "invalid_input"
    assert _error(floating.delete).code == "must_be_unassigned"
    floating.change_dns_ptr(floating.ip, "vip.example.com").wait_until_finished()
    floating.unassign().wait_until_finished()
    floating.change_protection(delete=True).wait_until_finished()
    assert _error(floating.delete).code == "protected"
    floating.change_protection(delete=False).wait_until_finished()
    assert floating.update(description="v2", name="vip").description == "v2"
    assert floating.delete() is True


def test_floating_ip_created_on_a_server(client: hcloud.Client) -> None:
    server = create_server(client, "web")
    response = client.floating_ips.create("ipv6", server=server, name="v6")

    assert response.floating_ip.server.id == server.id and response.floating_ip.ip.endswith("::/64")
    server.delete().wait_until_finished()
    assert client.floating_ips.get_by_id(response.floating_ip.id).server is None
