"""Hetzner misbehaving while networks, subnets and routes are created and deleted: every step is retried
until it succeeds, and the project ends with exactly the objects it should hold."""

from __future__ import annotations

from typing import Any

import pytest
from hcloud import Client

from tests.conftest import TENANT
from tests.failure.conftest import (
    COMPUTE,
    PROJECT,
    STORAGE,
    TRANSIENT,
    WS,
    Hetzner,
    Run,
    instance_body,
    read,
    states,
    storage_body,
)

NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
SKU = {"resource": f"seca.network/v1/tenants/{TENANT}/skus/hetzner-private-network"}
CREATE_NETWORK = ("POST", r"^/networks$")
ADD_SUBNET = ("POST", r"^/networks/\d+/actions/add_subnet$")
DELETE_SUBNET = ("POST", r"^/networks/\d+/actions/delete_subnet$")
DELETE_NETWORK = ("DELETE", r"^/networks/\d+$")
ADD_ROUTE = ("POST", r"^/networks/\d+/actions/add_route$")
DELETE_ROUTE = ("POST", r"^/networks/\d+/actions/delete_route$")

FAULTS = {name: TRANSIENT[name] for name in ("500-server-error", "503-unavailable", "429-rate-limited",
                                              "timeout-done-late")}


def owned_networks(hetzner: Hetzner, name: str) -> list[dict[str, Any]]:
    return [n for n in hetzner.objects("networks") if n["labels"].get("secapi.cloud/name") == name]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_network_and_subnet_survive_a_transient_fault_on_every_step(run: Run, hetzner: Hetzner, fault: str) -> None:
    name = f"net-{fault}"
    run.late = "latency" in FAULTS[fault]
    run.arm([CREATE_NETWORK], **FAULTS[fault])
    run.put(f"{NET}/networks/{name}", {"spec": {"cidr": {"ipv4": "10.8.0.0/16"}, "skuRef": SKU}})
    run.converge()
    assert states(read(run.service, f"{NET}/networks/{name}")) == ["active", "creating", "pending"]
    [network] = owned_networks(hetzner, name)  # exactly one, whatever the fault
    assert network["ip_range"] == "10.8.0.0/16"

    run.arm([ADD_SUBNET], **FAULTS[fault])
    rt = {"resource": f"networks/{name}/route-tables/rt"}
    run.put(f"{NET}/networks/{name}/subnets/sn", {"spec": {"cidr": {"ipv4": "10.8.1.0/24"}, "zone": "fsn1",
                                                           "routeTableRef": rt}})
    run.converge()
    assert states(read(run.service, f"{NET}/networks/{name}/subnets/sn")) == ["active", "creating", "pending"]
    assert [s["ip_range"] for s in owned_networks(hetzner, name)[0]["subnets"]] == ["10.8.1.0/24"]

    run.arm([DELETE_SUBNET], **FAULTS[fault])
    run.delete(f"{NET}/networks/{name}/subnets/sn")
    run.converge()
    run.gone(f"{NET}/networks/{name}/subnets/sn")
    assert owned_networks(hetzner, name)[0]["subnets"] == []

    run.arm([DELETE_NETWORK], **FAULTS[fault])
    run.delete(f"{NET}/networks/{name}")
    run.converge()
    run.gone(f"{NET}/networks/{name}")
    assert owned_networks(hetzner, name) == []


@pytest.mark.parametrize("fault", list(FAULTS))
def test_route_programming_survives_a_transient_fault(run: Run, hetzner: Hetzner, fault: str) -> None:
    name, vm, boot = f"rnet-{fault}", f"router-{fault}", f"router-boot-{fault}"
    run.late = "latency" in FAULTS[fault]
    table = f"{NET}/networks/{name}/route-tables/rt"
    body = {"spec": {"routes": [{"destinationCidrBlock": "10.99.0.0/16",
                                 "targetRef": {"resource": f"instances/{vm}"}}]}}
    run.put(f"{NET}/networks/{name}", {"spec": {"cidr": {"ipv4": "10.9.0.0/16"}, "skuRef": SKU}})
    run.put(f"{NET}/networks/{name}/subnets/sn", {"spec": {"cidr": {"ipv4": "10.9.1.0/24"}, "zone": "fsn1",
                                                           "routeTableRef": {"resource": "route-tables/rt"}}})
    run.put(table, body)
    run.put(f"{STORAGE}/{boot}", storage_body(20))
    run.put(f"{COMPUTE}/{vm}", instance_body(boot))
    run.converge()
    client = Client(token=PROJECT, api_endpoint=hetzner.simulator.url, timeout=5, poll_interval=0.05)
    [network] = owned_networks(hetzner, name)
    [server] = [s for s in client.servers.get_all() if s.name.startswith(vm)]
    client.servers.attach_to_network(server, client.networks.get_by_id(network["id"]), ip="10.9.1.5"
                                     ).wait_until_finished()

    run.arm([ADD_ROUTE], **FAULTS[fault])
    run.put(table, {**body, "labels": {"v": "2"}})
    run.converge()
    got = read(run.service, table)
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["status"]["routes"][0]["state"] == "active"
    assert owned_networks(hetzner, name)[0]["routes"] == [{"destination": "10.99.0.0/16", "gateway": "10.9.1.5"}]

    client.servers.detach_from_network(server, client.networks.get_by_id(network["id"])).wait_until_finished()
    run.delete(f"{NET}/networks/{name}/subnets/sn")
    run.converge()
    run.arm([DELETE_ROUTE], **FAULTS[fault])
    run.delete(table)
    run.converge()
    run.gone(table)
    assert owned_networks(hetzner, name)[0]["routes"] == []
    for path in (f"{COMPUTE}/{vm}", f"{STORAGE}/{boot}", f"{NET}/networks/{name}"):
        run.delete(path)
        run.converge()
    assert owned_networks(hetzner, name) == [] and hetzner.leftovers() == {}
