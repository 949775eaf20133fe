"""The end-to-end network stack over HTTP: workspace → network → subnets → route table → internet gateway →
security group + rules → public IP → NICs → an instance using them; built, updated (a rule added, the IP
moved, a NIC detached) and torn down in reverse, asserting Hetzner's state (the simulator) at every step."""

from __future__ import annotations

from typing import Any

from tests.conftest import TENANT, Service
from tests.support.refs import ref

WS = "ws-stack"
WS_PATH = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}"
BASE = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
NET_SKU = {"resource": f"seca.network/v1/tenants/{TENANT}/skus/hetzner-private-network"}
LOCAL_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


def put(service: Service, path: str, body: dict[str, Any]) -> None:
    response = service.put(path, body)
    assert response.status_code in (200, 201), response.text


def delete(service: Service, path: str) -> None:
    response = service.delete(path)
    assert response.status_code == 202, response.text


#: the SECA names of this stack's Hetzner objects (other modules share the simulator)
OURS = {"web", "front", "back", "ip-1", "ip-2"}


def hetzner(service: Service, collection: str) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [item for project in projects.values() for item in project.get(collection, [])
            if item.get("labels", {}).get("secapi.cloud/managed") == "true"
            and item["labels"].get("secapi.cloud/name") in OURS]


def named(service: Service, collection: str, name: str) -> dict[str, Any]:
    [found] = [i for i in hetzner(service, collection) if i["labels"].get("secapi.cloud/name") == name]
    return found


def nic_body(network: str, subnet: str, address: str, pips: tuple[str, ...] = (),
             groups: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"spec": {"addresses": [address],
                     "subnetRef": ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/{network}/subnets/"
                                      f"{subnet}"),
                     "publicIpRefs": [ref(f"public-ips/{p}") for p in pips],
                     "securityGroupRefs": [ref(f"security-groups/{g}") for g in groups]}}


def instance_body(nics: tuple[str, ...]) -> dict[str, Any]:
    spec: dict[str, Any] = {"skuRef": ref(f"seca.compute/v1/tenants/{TENANT}/skus/cx23"), "zone": "fsn1",
                            "bootVolume": {"deviceRef": ref("block-storages/boot")},
                            "primaryNicRef": ref(f"nics/{nics[0]}")}
    if nics[1:]:
        spec["additionalNicRefs"] = [ref(f"nics/{n}") for n in nics[1:]]
    return {"spec": spec}


def rule(port: int) -> dict[str, Any]:
    return {"direction": "ingress", "protocol": "tcp", "ports": {"from": port, "to": port}}


def test_the_network_stack_is_built_updated_and_torn_down(service: Service) -> None:
    # -- build --------------------------------------------------------------------------------------
    put(service, WS_PATH, {"spec": {}})
    put(service, f"{BASE}/networks/front", {"spec": {"cidr": {"ipv4": "10.20.0.0/16"}, "skuRef": NET_SKU}})
    put(service, f"{BASE}/networks/back", {"spec": {"cidr": {"ipv4": "10.30.0.0/16"}, "skuRef": NET_SKU}})
    put(service, f"{BASE}/internet-gateways/igw", {"spec": {}})
    put(service, f"{BASE}/networks/front/route-tables/public", {"spec": {"routes": [
        {"destinationCidrBlock": "0.0.0.0/0", "targetRef": ref("internet-gateways/igw")}]}})
    put(service, f"{BASE}/networks/back/route-tables/private", {"spec": {"routes": [
        {"destinationCidrBlock": "172.16.0.0/24", "targetRef": ref("instances/web")}]}})
    tables = f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks"
    put(service, f"{BASE}/networks/front/subnets/dmz", {"spec": {
        "cidr": {"ipv4": "10.20.1.0/24"}, "zone": "fsn1", "routeTableRef": ref(f"{tables}/front/route-tables/public")}})
    put(service, f"{BASE}/networks/back/subnets/app", {"spec": {
        "cidr": {"ipv4": "10.30.1.0/24"}, "zone": "fsn1", "routeTableRef": ref(f"{tables}/back/route-tables/private")}})
    put(service, f"{BASE}/security-group-rules/https", {"spec": rule(443)})
    put(service, f"{BASE}/security-groups/web", {"spec": {"ruleRefs": [ref("security-group-rules/https")]}})
    put(service, f"{BASE}/public-ips/ip-1", {"spec": {"version": "IPv4"}})
    put(service, f"{BASE}/public-ips/ip-2", {"spec": {"version": "IPv4"}})
    put(service, f"{BASE}/nics/eth0", nic_body("front", "dmz", "10.20.1.10", pips=("ip-1",), groups=("web",)))
    put(service, f"{BASE}/nics/eth1", nic_body("back", "app", "10.30.1.10"))
    put(service, f"{STORAGE}/boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    put(service, f"{COMPUTE}/web", instance_body(("eth0", "eth1")))
    service.drain()
    assert service.get(f"{COMPUTE}/web").json()["status"]["state"] == "active", service.operations()

    server = named(service, "servers", "web")
    front, back = named(service, "networks", "front"), named(service, "networks", "back")
    assert sorted((n["network"], n["ip"]) for n in server["private_net"]) == \
        sorted([(front["id"], "10.20.1.10"), (back["id"], "10.30.1.10")])
    assert server["public_net"]["ipv4"]["id"] == named(service, "primary_ips", "ip-1")["id"]
    wall = named(service, "firewalls", "web")
    assert [e["server"]["id"] for e in wall["applied_to"]] == [server["id"]]
    assert [r["port"] for r in wall["rules"]] == ["443"]
    assert {"destination": "172.16.0.0/24", "gateway": "10.30.1.10"} in back["routes"]
    assert front["routes"] == []  # the internet gateway route is logical: no Hetzner route
    eth0 = service.get(f"{BASE}/nics/eth0").json()["status"]
    assert eth0["addresses"] == ["10.20.1.10"] and eth0["publicIpRefs"] == [ref("public-ips/ip-1")]

    # -- update: a rule added, the IP moved, a NIC detached ---------------------------------------------
    put(service, f"{BASE}/security-group-rules/ssh", {"spec": rule(22)})
    put(service, f"{BASE}/security-groups/web", {"spec": {"ruleRefs": [ref("security-group-rules/https"),
                                                                        ref("security-group-rules/ssh")]}})
    service.drain()
    assert sorted(r["port"] for r in named(service, "firewalls", "web")["rules"]) == ["22", "443"]

    put(service, f"{BASE}/nics/eth0", nic_body("front", "dmz", "10.20.1.10", pips=("ip-2",), groups=("web",)))
    service.drain()
    server = named(service, "servers", "web")
    assert server["public_net"]["ipv4"]["id"] == named(service, "primary_ips", "ip-2")["id"]
    assert named(service, "primary_ips", "ip-1")["assignee_id"] is None

    put(service, f"{COMPUTE}/web", instance_body(("eth0",)))
    service.drain()
    server = named(service, "servers", "web")
    assert [n["network"] for n in server["private_net"]] == [front["id"]]
    assert "addresses" not in service.get(f"{BASE}/nics/eth1").json()["status"]
    assert named(service, "networks", "back")["routes"] == []  # its target has no address there any more
    assert service.get(f"{COMPUTE}/web").json()["status"]["state"] == "active"

    # -- tear down in reverse -------------------------------------------------------------------------
    delete(service, f"{COMPUTE}/web")
    service.drain()
    assert [s for s in hetzner(service, "servers") if s["labels"].get("secapi.cloud/name") == "web"] == []
    assert named(service, "firewalls", "web")["applied_to"] == []
    for path in (f"{STORAGE}/boot", f"{BASE}/nics/eth0", f"{BASE}/nics/eth1", f"{BASE}/public-ips/ip-1",
                 f"{BASE}/public-ips/ip-2"):
        delete(service, path)
    service.drain()
    assert hetzner(service, "primary_ips") == []
    delete(service, f"{BASE}/security-groups/web")
    for name in ("https", "ssh"):
        delete(service, f"{BASE}/security-group-rules/{name}")
    service.drain()
    assert hetzner(service, "firewalls") == []
    for path in (f"{BASE}/networks/front/subnets/dmz", f"{BASE}/networks/back/subnets/app",
                 f"{BASE}/networks/front/route-tables/public", f"{BASE}/networks/back/route-tables/private",
                 f"{BASE}/internet-gateways/igw"):
        delete(service, path)
    service.drain()
    assert all(n["subnets"] == [] for n in hetzner(service, "networks"))
    for name in ("front", "back"):
        delete(service, f"{BASE}/networks/{name}")
    service.drain()
    assert hetzner(service, "networks") == []
    delete(service, WS_PATH)
    service.drain()
    assert service.get(WS_PATH).status_code == 404
