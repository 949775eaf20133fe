"""Drift: Hetzner objects deleted or changed outside the service show up in status, cheaply."""

from __future__ import annotations

from hcloud import Client

from secapi_hetzner.app.services import current
from tests.conftest import TENANT, Service

WS = "ws-drift"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


def console(service: Service) -> Client:
    """What an operator's console or another tool does in the tenant's Hetzner project."""
    return Client(token=f"simulated-project-{TENANT}", api_endpoint=service.simulator.url, timeout=5,
                  poll_interval=0.05)


def make_instance(service: Service, name: str) -> None:
    service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}})
    service.put(f"{STORAGE}/{name}-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL}})
    service.put(f"{COMPUTE}/{name}", {"spec": {
        "skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
        "bootVolume": {"deviceRef": {"resource": f"block-storages/{name}-boot"}}}})
    service.drain()
    assert service.get(f"{COMPUTE}/{name}").json()["status"]["state"] == "active"


def test_server_deleted_outside_puts_the_instance_in_error(service: Service) -> None:
    make_instance(service, "vm-gone")
    client = console(service)
    [server] = [s for s in client.servers.get_all() if s.name.startswith("vm-gone")]
    client.servers.delete(server).wait_until_finished()  # Hetzner deletes it when the action ends
    before = service.simulator.state.request_counts(f"simulated-project-{TENANT}")["total"]
    report = current().drift.run_once()
    calls = service.simulator.state.request_counts(f"simulated-project-{TENANT}")["total"] - before
    assert "instance/vm-gone" in report.drifted
    assert calls == 2  # one list of servers and one of volumes, whatever the number of resources
    got = service.get(f"{COMPUTE}/vm-gone").json()
    assert got["status"]["state"] == "error"
    assert got["status"]["conditions"][0]["reason"] == "DeletedOutsideService"
    assert str(server.id) in got["status"]["conditions"][0]["message"]


def test_type_and_power_changed_outside(service: Service) -> None:
    make_instance(service, "vm-changed")
    client = console(service)
    [server] = [s for s in client.servers.get_all() if s.name.startswith("vm-changed")]
    client.servers.power_on(server).wait_until_finished()
    current().drift.run_once()
    got = service.get(f"{COMPUTE}/vm-changed").json()
    assert got["status"]["state"] == "active" and got["status"]["powerState"] == "on"
    # the power intent follows reality: a stop is now accepted, a start is not
    assert service.post(f"{COMPUTE}/vm-changed/start").status_code == 412
    client.servers.power_off(server).wait_until_finished()
    client.servers.change_type(server, client.server_types.get_by_name("cx33"), upgrade_disk=False) \
        .wait_until_finished()
    report = current().drift.run_once()
    assert "instance/vm-changed" in report.drifted
    got = service.get(f"{COMPUTE}/vm-changed").json()
    assert got["status"]["state"] == "error" and got["status"]["conditions"][0]["reason"] == "ChangedOutsideService"


def test_no_drift_no_change(service: Service) -> None:
    make_instance(service, "vm-steady")
    version = service.get(f"{COMPUTE}/vm-steady").json()["metadata"]["resourceVersion"]
    assert "instance/vm-steady" not in current().drift.run_once().drifted
    assert service.get(f"{COMPUTE}/vm-steady").json()["metadata"]["resourceVersion"] == version


def test_a_nic_detached_outside_puts_the_instance_in_error_and_a_put_restores_it(service: Service) -> None:
    base = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
    service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}})
    service.put(f"{base}/networks/dnet", {"spec": {"cidr": {"ipv4": "10.60.0.0/16"}, "skuRef": {
        "resource": f"seca.network/v1/tenants/{TENANT}/skus/hetzner-private-network"}}})
    table = {"resource": f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/dnet/route-tables/drt"}
    service.put(f"{base}/networks/dnet/subnets/dsub", {"spec": {"cidr": {"ipv4": "10.60.1.0/24"}, "zone": "fsn1",
                                                              "routeTableRef": table}})
    service.put(f"{base}/nics/dnic", {"spec": {"addresses": ["10.60.1.5"], "subnetRef": {
        "resource": f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/dnet/subnets/dsub"}}})
    service.put(f"{STORAGE}/vm-nic-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL}})
    body = {"spec": {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1", "primaryNicRef": {"resource": "nics/dnic"},
                     "bootVolume": {"deviceRef": {"resource": "block-storages/vm-nic-boot"}}}}
    service.put(f"{COMPUTE}/vm-nic", body)
    service.drain()
    assert service.get(f"{COMPUTE}/vm-nic").json()["status"]["state"] == "active"
    assert "instance/vm-nic" not in current().drift.run_once().drifted  # as the service left it: no drift
    client = console(service)
    [server] = [s for s in client.servers.get_all() if s.name.startswith("vm-nic")]
    [network] = [n for n in client.networks.get_all() if n.labels.get("secapi.cloud/name") == "dnet"]
    client.servers.detach_from_network(server, network).wait_until_finished()
    report = current().drift.run_once()
    assert "instance/vm-nic" in report.drifted
    got = service.get(f"{COMPUTE}/vm-nic").json()
    assert got["status"]["state"] == "error" and got["status"]["conditions"][0]["reason"] == "ChangedOutsideService"
    assert f"detached from network {network.id}" in got["status"]["conditions"][0]["message"]
    assert service.put(f"{COMPUTE}/vm-nic", body).status_code == 200
    service.drain()
    assert service.get(f"{COMPUTE}/vm-nic").json()["status"]["state"] == "active"
    assert [n.ip for n in client.servers.get_by_id(server.id).private_net] == ["10.60.1.5"]
