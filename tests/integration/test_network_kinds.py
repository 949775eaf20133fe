"""Networks, subnets, route tables and internet gateways over HTTP, carried out by the worker through the
real hcloud client against the simulator; each step asserts what Hetzner then has."""

from __future__ import annotations

from typing import Any

import pytest
from hcloud import Client

from secapi_hetzner.app.services import current
from tests.conftest import TENANT, Service

WS = "ws-net"
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
SKU = {"resource": f"seca.network/v1/tenants/{TENANT}/skus/hetzner-private-network"}


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def hetzner_networks(service: Service) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [n for project in projects.values() for n in project.get("networks", [])]


def hetzner_network(service: Service, name: str) -> dict[str, Any]:
    found = [n for n in hetzner_networks(service) if n["labels"].get("secapi.cloud/name") == name]
    assert len(found) == 1, found
    return found[0]


def network_body(cidr: str = "10.1.0.0/16", **extra: Any) -> dict[str, Any]:
    return {"labels": {"env": "conformance"}, "spec": {"cidr": {"ipv4": cidr, **extra}, "skuRef": SKU}}


def table_ref(network: str, table: str) -> dict[str, str]:
    return {"resource": f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/{network}/route-tables/{table}"}


def subnet_body(cidr: str, network: str = "net-a", zone: str = "fsn1", table: str = "rt-a") -> dict[str, Any]:
    return {"spec": {"cidr": {"ipv4": cidr}, "zone": zone, "routeTableRef": table_ref(network, table)}}


def gateway_ref(name: str) -> dict[str, str]:
    return {"resource": f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/internet-gateways/{name}"}


def instance_ref(name: str) -> dict[str, str]:
    return {"resource": f"seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances/{name}"}


def routes(*pairs: tuple[str, dict[str, str]]) -> dict[str, Any]:
    return {"spec": {"routes": [{"destinationCidrBlock": d, "targetRef": t} for d, t in pairs]}}


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}}).status_code \
        in (200, 201)


def test_network_lifecycle_as_the_suite_runs_it(service: Service) -> None:
    created = service.put(f"{NET}/networks/net-a", network_body())
    assert created.status_code == 201, created.text
    assert created.json()["status"]["state"] == "pending" and created.json()["metadata"]["kind"] == "network"
    assert not [n for n in hetzner_networks(service) if n["labels"].get("secapi.cloud/name") == "net-a"]
    service.drain()
    got = service.get(f"{NET}/networks/net-a").json()
    assert states(got) == ["active", "creating", "pending"] and got["status"]["cidr"] == {"ipv4": "10.1.0.0/16"}
    network = hetzner_network(service, "net-a")
    assert network["ip_range"] == "10.1.0.0/16" and network["labels"]["secapi.cloud/managed"] == "true"
    assert network["labels"]["secapi.cloud/kind"] == "network"

    # internet gateway: logical, active at once; an update answers active
    gateway = service.put(f"{NET}/internet-gateways/igw", {"spec": {}})
    assert gateway.status_code == 201 and gateway.json()["status"]["state"] == "active"
    assert gateway.json()["status"]["conditions"][0]["reason"] == "Logical"
    egress = service.put(f"{NET}/internet-gateways/igw", {"spec": {"egressOnly": True}})
    assert egress.status_code == 200 and egress.json()["status"]["state"] == "active"
    assert states(service.get(f"{NET}/internet-gateways/igw").json()) == [
        "active", "updating", "active", "creating", "pending"]

    # route table to the gateway: nothing for Hetzner to hold
    table = service.put(f"{NET}/networks/net-a/route-tables/rt-a", routes(("0.0.0.0/0", gateway_ref("igw"))))
    assert table.status_code == 201, table.text
    assert table.json()["metadata"]["kind"] == "routing-table"
    assert table.json()["metadata"]["resource"] == "networks/net-a/route-tables/rt-a"
    service.drain()
    got = service.get(f"{NET}/networks/net-a/route-tables/rt-a").json()
    assert states(got) == ["active", "creating", "pending"]
    assert got["status"]["routes"][0]["state"] == "active"
    assert hetzner_network(service, "net-a")["routes"] == []

    # retarget to an instance that does not exist yet: accepted, active, the route pending
    retargeted = service.put(f"{NET}/networks/net-a/route-tables/rt-a",
                             routes(("0.0.0.0/0", instance_ref("never-created"))))
    assert retargeted.status_code == 200, retargeted.text
    assert retargeted.json()["status"]["state"] == "active"
    got = service.get(f"{NET}/networks/net-a/route-tables/rt-a").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["status"]["routes"][0]["state"] == "pending"
    assert got["status"]["routes"][0]["conditions"][0]["reason"] == "TargetMissing"
    assert got["status"]["conditions"][0]["reason"] == "RoutesPending"

    # a new SKU: recorded, active at once, no Hetzner change
    before = hetzner_network(service, "net-a")
    calls = service.simulator.state.request_counts(f"simulated-project-{TENANT}")["total"]
    other_form = {"resource": "skus/hetzner-private-network"}  # Hetzner offers one network SKU: a new reference
    resku = service.put(f"{NET}/networks/net-a", {"labels": {"env": "updated"}, "spec": {
        "cidr": {"ipv4": "10.1.0.0/16"}, "skuRef": other_form}})
    assert resku.status_code == 200 and resku.json()["status"]["state"] == "active"
    assert resku.json()["spec"]["skuRef"] == other_form
    service.drain()
    assert service.simulator.state.request_counts(f"simulated-project-{TENANT}")["total"] == calls
    assert states(service.get(f"{NET}/networks/net-a").json()) == [
        "active", "updating", "active", "creating", "pending"]
    assert hetzner_network(service, "net-a") == before

    # subnet: a cloud subnet of the region's network zone; its zone changes in place
    subnet = service.put(f"{NET}/networks/net-a/subnets/sn-a", subnet_body("10.1.1.0/24"))
    assert subnet.status_code == 201, subnet.text
    service.drain()
    got = service.get(f"{NET}/networks/net-a/subnets/sn-a").json()
    assert states(got) == ["active", "creating", "pending"] and got["status"]["cidr"] == {"ipv4": "10.1.1.0/24"}
    assert got["status"]["routeTableRef"] == table_ref("net-a", "rt-a")
    assert [(s["ip_range"], s["type"], s["network_zone"]) for s in hetzner_network(service, "net-a")["subnets"]] \
        == [("10.1.1.0/24", "cloud", "eu-central")]
    moved = service.put(f"{NET}/networks/net-a/subnets/sn-a", subnet_body("10.1.1.0/24", zone="nbg1"))
    assert moved.status_code == 200 and moved.json()["status"]["state"] == "active"

    # deletes are refused while something depends on them, naming it
    refused = service.delete(f"{NET}/networks/net-a")
    assert refused.status_code == 412 and "rt-a" in refused.json()["detail"]  # its route table
    refused = service.delete(f"{NET}/networks/net-a/route-tables/rt-a")
    assert refused.status_code == 412 and "sn-a" in refused.json()["detail"]

    assert service.delete(f"{NET}/networks/net-a/subnets/sn-a").status_code == 202
    service.drain()
    assert service.get(f"{NET}/networks/net-a/subnets/sn-a").status_code == 404
    assert hetzner_network(service, "net-a")["subnets"] == []
    refused = service.delete(f"{NET}/networks/net-a")
    assert refused.status_code == 412 and "rt-a" in refused.json()["detail"]
    assert service.delete(f"{NET}/networks/net-a/route-tables/rt-a").status_code == 202
    service.drain()
    assert service.delete(f"{NET}/internet-gateways/igw").status_code == 202
    assert service.get(f"{NET}/internet-gateways/igw").status_code == 404
    assert service.delete(f"{NET}/networks/net-a").status_code == 202
    service.drain()
    assert service.get(f"{NET}/networks/net-a").status_code == 404
    assert not [n for n in hetzner_networks(service) if n["labels"].get("secapi.cloud/name") == "net-a"]


@pytest.mark.parametrize(("body", "detail"), [
    (network_body("8.8.0.0/16"), "RFC 1918"),
    (network_body("10.1.0.0/25"), "/24"),
    (network_body("not-a-cidr"), "CIDR"),
    ({"spec": {"cidr": {"ipv6": "fd00::/56"}, "skuRef": SKU}}, "IPv4"),
    (network_body(ipv6="2001:db8::/56"), "RFC 4193"),
    ({"spec": {"cidr": {"ipv4": "10.1.0.0/16"}, "additionalCidrs": [{"ipv4": "10.2.0.0/16"}], "skuRef": SKU}},
     "one address range"),
    ({"spec": {"cidr": {"ipv4": "10.1.0.0/16"},
               "skuRef": {"resource": f"seca.network/v1/tenants/{TENANT}/skus/N10K"}}}, "SKU"),
])
def test_network_refusals_name_the_field(service: Service, body: dict[str, Any], detail: str) -> None:
    response = service.put(f"{NET}/networks/net-bad", body)
    assert response.status_code == 412, response.text
    assert detail in response.json()["detail"]
    assert service.get(f"{NET}/networks/net-bad").status_code == 404


def test_two_networks_with_one_block_are_two_hetzner_networks(service: Service) -> None:
    for name in ("net-twin-1", "net-twin-2"):
        assert service.put(f"{NET}/networks/{name}", network_body("10.7.0.0/16")).status_code == 201
    service.drain()
    assert hetzner_network(service, "net-twin-1")["ip_range"] == hetzner_network(service, "net-twin-2")["ip_range"]
    assert hetzner_network(service, "net-twin-1")["id"] != hetzner_network(service, "net-twin-2")["id"]
    listed = service.get(f"{NET}/networks", params={"labels": "env=conformance", "limit": 1})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1 and listed.json()["metadata"]["skipToken"]
    changed = service.put(f"{NET}/networks/net-twin-1", network_body("10.8.0.0/16"))
    assert changed.status_code == 412 and changed.json()["detail"].startswith("spec.cidr")
    stale = service.put(f"{NET}/networks/net-twin-1", network_body("10.7.0.0/16"),
                        headers={"if-unmodified-since": "1"})
    assert stale.status_code == 412
    for name in ("net-twin-1", "net-twin-2"):
        assert service.delete(f"{NET}/networks/{name}").status_code == 202
    service.drain()
    assert not [n for n in hetzner_networks(service) if n["labels"].get("secapi.cloud/name", "").startswith("net-tw")]


def test_ipv6_block_is_recorded_not_realised(service: Service) -> None:
    assert service.put(f"{NET}/networks/net-v6", network_body("10.6.0.0/16", ipv6="fd00:6::/56")).status_code == 201
    service.drain()
    got = service.get(f"{NET}/networks/net-v6").json()
    assert got["spec"]["cidr"] == {"ipv4": "10.6.0.0/16", "ipv6": "fd00:6::/56"}  # echoed as written
    assert got["status"]["cidr"] == {"ipv4": "10.6.0.0/16"}  # what Hetzner has
    assert got["status"]["conditions"][0]["reason"] == "IPv6NotRealised"
    assert hetzner_network(service, "net-v6")["ip_range"] == "10.6.0.0/16"
    assert service.delete(f"{NET}/networks/net-v6").status_code == 202
    service.drain()


def test_subnet_blocks_inside_the_network_without_overlap(service: Service) -> None:
    assert service.put(f"{NET}/networks/net-s", network_body("10.2.0.0/16")).status_code == 201
    outside = service.put(f"{NET}/networks/net-s/subnets/sn-out", subnet_body("10.3.1.0/24", network="net-s"))
    assert outside.status_code == 412 and "not inside" in outside.json()["detail"]
    wrong_zone = service.put(f"{NET}/networks/net-s/subnets/sn-z", subnet_body("10.2.9.0/24", "net-s", zone="ash"))
    assert wrong_zone.status_code == 412 and "spec.zone" in wrong_zone.json()["detail"]
    missing = service.put(f"{NET}/networks/no-such-net/subnets/sn", subnet_body("10.2.1.0/24", "no-such-net"))
    assert missing.status_code == 412 and "no-such-net" in missing.json()["detail"]
    # SECA clients create two subnets of one block in one network: one Hetzner subnet serves both
    for name in ("sn-1", "sn-2"):
        assert service.put(f"{NET}/networks/net-s/subnets/{name}", subnet_body("10.2.1.0/24", "net-s")).status_code \
            == 201
    overlap = service.put(f"{NET}/networks/net-s/subnets/sn-3", subnet_body("10.2.0.0/20", "net-s"))
    assert overlap.status_code == 412 and "sn-1" in overlap.json()["detail"]
    service.drain()
    assert [s["ip_range"] for s in hetzner_network(service, "net-s")["subnets"]] == ["10.2.1.0/24"]
    listed = service.get(f"{NET}/networks/net-s/subnets").json()
    assert [i["metadata"]["name"] for i in listed["items"]] == ["sn-1", "sn-2"]
    assert listed["metadata"]["resource"] == "networks/net-s/subnets"
    assert service.delete(f"{NET}/networks/net-s/subnets/sn-1").status_code == 202
    service.drain()
    assert [s["ip_range"] for s in hetzner_network(service, "net-s")["subnets"]] == ["10.2.1.0/24"]  # still used
    assert service.delete(f"{NET}/networks/net-s/subnets/sn-2").status_code == 202
    service.drain()
    assert hetzner_network(service, "net-s")["subnets"] == []
    assert service.delete(f"{NET}/networks/net-s").status_code == 202
    service.drain()


def test_route_tables_of_a_network_cannot_contradict(service: Service) -> None:
    assert service.put(f"{NET}/networks/net-r", network_body("10.3.0.0/16")).status_code == 201
    assert service.put(f"{NET}/internet-gateways/igw-r", {"spec": {}}).status_code == 201
    base = f"{NET}/networks/net-r/route-tables"
    assert service.put(f"{base}/rt-1", routes(("0.0.0.0/0", gateway_ref("igw-r")))).status_code == 201
    # the same destination to the same target: one Hetzner route, accepted (SECA clients do this)
    assert service.put(f"{base}/rt-2", routes(("0.0.0.0/0", gateway_ref("igw-r")))).status_code == 201
    clash = service.put(f"{base}/rt-3", routes(("0.0.0.0/0", instance_ref("nat-vm"))))
    assert clash.status_code == 412
    assert "rt-3" in clash.json()["detail"] and "rt-1" in clash.json()["detail"]
    twice = service.put(f"{base}/rt-4", routes(("10.9.0.0/16", gateway_ref("igw-r")),
                                               ("10.9.0.0/16", instance_ref("vm"))))
    assert twice.status_code == 412 and "twice" in twice.json()["detail"]
    v6 = service.put(f"{base}/rt-5", routes(("::/0", gateway_ref("igw-r"))))
    assert v6.status_code == 412 and "IPv4 only" in v6.json()["detail"]
    odd = service.put(f"{base}/rt-6", routes(("0.0.0.0/0", {"resource": "block-storages/disk"})))
    assert odd.status_code == 412 and "targetRef" in odd.json()["detail"]
    service.drain()
    assert hetzner_network(service, "net-r")["routes"] == []  # internet-gateway routes are logical
    for name in ("rt-1", "rt-2"):
        assert service.delete(f"{base}/{name}").status_code == 202
    service.drain()
    assert service.delete(f"{NET}/internet-gateways/igw-r").status_code == 202
    assert service.delete(f"{NET}/networks/net-r").status_code == 202
    service.drain()


def console(service: Service) -> Client:
    """What another tool (or, later, this service's NICs) does in the tenant's Hetzner project."""
    return Client(token=f"simulated-project-{TENANT}", api_endpoint=service.simulator.url, timeout=5,
                  poll_interval=0.05)


def test_route_to_an_instance_is_programmed_once_it_has_an_address(service: Service) -> None:
    assert service.put(f"{NET}/networks/net-p", network_body("10.4.0.0/16")).status_code == 201
    table = f"{NET}/networks/net-p/route-tables/rt-p"
    assert service.put(table, routes(("10.99.0.0/16", instance_ref("router")))).status_code == 201
    assert service.put(f"{NET}/networks/net-p/subnets/sn-p", subnet_body("10.4.1.0/24", "net-p", table="rt-p")
                       ).status_code == 201
    service.drain()
    got = service.get(table).json()
    assert got["status"]["state"] == "active" and got["status"]["routes"][0]["state"] == "pending"
    assert hetzner_network(service, "net-p")["routes"] == []

    # the instance appears: it has a server, but no address in the network yet
    disk = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages/router-boot"
    vm = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances/router"
    service.put(disk, {"spec": {"sizeGB": 20, "skuRef": {"resource": "skus/local-nvme"}}})
    service.put(vm, {"spec": {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
                              "bootVolume": {"deviceRef": {"resource": "block-storages/router-boot"}}}})
    service.drain()
    got = service.get(table).json()
    assert got["status"]["routes"][0]["conditions"][0]["reason"] == "TargetHasNoAddress"

    # its server joins the network (what a NIC will do): the next change of the table programs the route
    client = console(service)
    [server] = [s for s in client.servers.get_all() if s.name.startswith("router")]
    network = client.networks.get_by_id(hetzner_network(service, "net-p")["id"])
    client.servers.attach_to_network(server, network, ip="10.4.1.5").wait_until_finished()
    relabelled = service.put(table, {**routes(("10.99.0.0/16", instance_ref("router"))), "labels": {"v": "2"}})
    assert relabelled.status_code == 200 and relabelled.json()["status"]["state"] == "updating"
    service.drain()
    got = service.get(table).json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["status"]["routes"][0]["state"] == "active"
    assert "conditions" not in got["status"] or got["status"]["conditions"][0].get("reason") != "RoutesPending"
    assert hetzner_network(service, "net-p")["routes"] == [{"destination": "10.99.0.0/16", "gateway": "10.4.1.5"}]

    # a second table may not send that destination elsewhere; deleting the table removes the route
    clash = service.put(f"{NET}/networks/net-p/route-tables/rt-q", routes(("10.99.0.0/16", instance_ref("other"))))
    assert clash.status_code == 412 and "rt-p" in clash.json()["detail"]
    client.servers.detach_from_network(server, network).wait_until_finished()  # Hetzner: no subnet delete before
    assert service.delete(f"{NET}/networks/net-p/subnets/sn-p").status_code == 202
    service.drain()
    assert service.delete(table).status_code == 202
    service.drain()
    assert service.get(table).status_code == 404
    assert hetzner_network(service, "net-p")["routes"] == []

    service.delete(vm)
    service.drain()
    service.delete(disk)
    assert service.delete(f"{NET}/networks/net-p").status_code == 202
    service.drain()
    assert not [n for n in hetzner_networks(service) if n["labels"].get("secapi.cloud/name") == "net-p"]


def test_network_deleted_outside_is_reported(service: Service) -> None:
    assert service.put(f"{NET}/networks/net-gone", network_body("10.5.0.0/16")).status_code == 201
    service.drain()
    client = console(service)
    client.networks.delete(client.networks.get_by_id(hetzner_network(service, "net-gone")["id"]))
    report = current().drift.run_once()
    assert "network/net-gone" in report.drifted
    got = service.get(f"{NET}/networks/net-gone").json()
    assert got["status"]["state"] == "error"
    assert got["status"]["conditions"][0]["reason"] == "DeletedOutsideService"
    assert service.delete(f"{NET}/networks/net-gone").status_code == 202  # the delete finds nothing to remove
    service.drain()
    assert service.get(f"{NET}/networks/net-gone").status_code == 404


def test_queries_scenario_everything_at_once_then_torn_down_without_waiting(service: Service) -> None:
    """The suite's queries scenario: two of each kind created without waiting (one block for both networks,
    one block for both subnets, one route for both tables), listed, then deleted without waiting."""
    for n in ("q-net-1", "q-net-2"):
        assert service.put(f"{NET}/networks/{n}", network_body("10.1.0.0/16")).status_code == 201
    for g in ("q-igw-1", "q-igw-2"):
        assert service.put(f"{NET}/internet-gateways/{g}", {"labels": {"env": "conformance"}, "spec": {}}
                           ).status_code == 201
    for t in ("q-rt-1", "q-rt-2"):
        body = {**routes(("0.0.0.0/0", gateway_ref("q-igw-1"))), "labels": {"env": "conformance"}}
        assert service.put(f"{NET}/networks/q-net-1/route-tables/{t}", body).status_code == 201
    for s in ("q-sn-1", "q-sn-2"):
        body = {**subnet_body("10.1.1.0/24", "q-net-1", table="q-rt-1"), "labels": {"env": "conformance"}}
        assert service.put(f"{NET}/networks/q-net-1/subnets/{s}", body).status_code == 201
    for path, resource in ((f"{NET}/networks", "networks"), (f"{NET}/internet-gateways", "internet-gateways"),
                           (f"{NET}/networks/q-net-1/route-tables", "networks/q-net-1/route-tables"),
                           (f"{NET}/networks/q-net-1/subnets", "networks/q-net-1/subnets")):
        for params in ({}, {"limit": 1}, {"labels": "env=conformance", "limit": 1000},
                       {"labels": "env=conformance", "limit": 1}):
            listed = service.get(path, params=params)
            assert listed.status_code == 200 and listed.json()["items"], (path, params)
            assert listed.json()["metadata"]["resource"] == resource and listed.json()["metadata"]["verb"] == "GET"
    service.drain()
    assert [s["ip_range"] for s in hetzner_network(service, "q-net-1")["subnets"]] == ["10.1.1.0/24"]
    for kind, names in (("networks/q-net-1/subnets", ("q-sn-1", "q-sn-2")),
                        ("networks/q-net-1/route-tables", ("q-rt-1", "q-rt-2")),
                        ("internet-gateways", ("q-igw-1", "q-igw-2")), ("networks", ("q-net-1", "q-net-2"))):
        for name in names:
            assert service.delete(f"{NET}/{kind}/{name}").status_code == 202, (kind, name)
    service.drain()
    for n in ("q-net-1", "q-net-2"):
        assert service.get(f"{NET}/networks/{n}").status_code == 404
    assert not [n for n in hetzner_networks(service) if n["labels"].get("secapi.cloud/name", "").startswith("q-")]


def test_hetzner_calls_per_network_operation(service: Service) -> None:
    """What each operation spends of the project's 3,600 requests an hour (actions are read at their end)."""
    project = f"simulated-project-{TENANT}"

    def spent(step: Any) -> dict[str, int]:
        before = dict(service.simulator.state.request_counts(project)["by_route"])
        step()
        service.drain()
        after = service.simulator.state.request_counts(project)["by_route"]
        return {route: n - before.get(route, 0) for route, n in after.items() if n != before.get(route, 0)}

    table = f"{NET}/networks/net-c/route-tables/rt-c"
    assert spent(lambda: service.put(f"{NET}/networks/net-c", network_body("10.12.0.0/16"))) == {
        "POST /networks": 1}
    assert spent(lambda: service.put(table, routes(("0.0.0.0/0", gateway_ref("igw-c"))))) == {}  # logical
    subnet = spent(lambda: service.put(f"{NET}/networks/net-c/subnets/sn-c", subnet_body("10.12.1.0/24", "net-c",
                                                                                           table="rt-c")))
    assert subnet.pop("GET /networks/{id}") == 1 and subnet.pop("POST /networks/{id}/actions/add_subnet") == 1
    # and the action's reads: the first add_subnet the engine sees is paced by guesses, later ones by what it learnt
    assert set(subnet) <= {"GET /actions/{id}", "GET /actions"} and sum(subnet.values()) <= 10, subnet
    deleted = spent(lambda: service.delete(f"{NET}/networks/net-c/subnets/sn-c"))
    assert deleted.pop("GET /networks/{id}") == 1 and deleted.pop("POST /networks/{id}/actions/delete_subnet") == 1
    assert set(deleted) <= {"GET /actions/{id}", "GET /actions"} and sum(deleted.values()) <= 10, deleted
    assert spent(lambda: service.delete(table)) == {}
    assert spent(lambda: service.delete(f"{NET}/networks/net-c")) == {"DELETE /networks/{id}": 1}


def test_a_network_deleted_with_its_subnet_takes_the_subnet_along(service: Service) -> None:
    """NicLifeCycle deletes the network while its subnet is still there and waits for the network to go."""
    assert service.put(f"{NET}/networks/net-c", network_body("10.7.0.0/16")).status_code == 201
    made = service.put(f"{NET}/networks/net-c/subnets/sn-c", subnet_body("10.7.1.0/24", "net-c", table="rt-c"))
    assert made.status_code == 201, made.text
    service.drain()
    assert [s["ip_range"] for s in hetzner_network(service, "net-c")["subnets"]] == ["10.7.1.0/24"]
    assert service.delete(f"{NET}/networks/net-c").status_code == 202
    assert service.get(f"{NET}/networks/net-c/subnets/sn-c").json()["status"]["state"] == "deleting"
    service.drain()
    assert service.get(f"{NET}/networks/net-c").status_code == 404
    assert service.get(f"{NET}/networks/net-c/subnets/sn-c").status_code == 404
    # (by its label: a Hetzner name is the SECA name plus the id's first 8 hex digits, so a network "net"
    # whose id begins with c is named net-c…)
    assert [n for n in hetzner_networks(service) if n["labels"].get("secapi.cloud/name") == "net-c"] == []


def test_an_internet_gateway_deleted_before_its_route_table_leaves_the_route_pending(service: Service) -> None:
    assert service.put(f"{NET}/networks/net-g", network_body("10.8.0.0/16")).status_code == 201
    assert service.put(f"{NET}/internet-gateways/igw-g", {"spec": {}}).status_code == 201
    base = f"{NET}/networks/net-g/route-tables"
    assert service.put(f"{base}/rt-g", routes(("0.0.0.0/0", gateway_ref("igw-g")))).status_code == 201
    service.drain()
    assert service.delete(f"{NET}/internet-gateways/igw-g").status_code == 202
    assert service.get(f"{NET}/internet-gateways/igw-g").status_code == 404
    [route] = service.get(f"{base}/rt-g").json()["status"]["routes"]
    assert route["state"] == "pending" and "igw-g" in str(route), route
    for path in (f"{base}/rt-g", f"{NET}/networks/net-g"):
        assert service.delete(path).status_code == 202
        service.drain()
        assert service.get(path).status_code == 404
