"""Networks, subnets, route tables and internet gateways over HTTP, carried out by the worker through the
real hcloud client against the simulator; each step asserts what Hetzner then has."""

from __future__ import annotations

from typing import Any

import pytest

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
    resku = service.put(f"{NET}/networks/net-a", {**network_body(), "labels": {"env": "updated"}})
    assert resku.status_code == 200 and resku.json()["status"]["state"] == "active"
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
    assert refused.status_code == 412 and "sn-a" in refused.json()["detail"]
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
