"""The official suite's network scenarios that involve NICs, as this project's own tests: the provider
lifecycle (every kind created, updated — each update answered ``active`` — and deleted, watching each
delete, with the NIC naming its public IP before the IP exists and an instance carrying the NIC), and the
queries scenario (two NICs of one address, nothing waited for, everything deleted without waiting)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from tests.conftest import TENANT, Service
from tests.support.refs import ref

WS = "ws-scen"
WS_PATH = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}"
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
SKUS = f"seca.network/v1/tenants/{TENANT}/skus"


def full(path: str) -> dict[str, str]:
    return ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/{path}")


def created(service: Service, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = service.put(path, body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def updated(service: Service, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = service.put(path, body)
    assert response.status_code == 200, response.text
    assert response.json()["status"]["state"] == "active", (path, response.json()["status"])  # as the suite demands
    return response.json()  # type: ignore[no-any-return]


def active(service: Service, path: str) -> dict[str, Any]:
    service.drain()
    body = service.get(path).json()
    assert body["status"]["state"] == "active", (path, body["status"])
    return body  # type: ignore[no-any-return]


def deleted_with_watch(service: Service, path: str) -> None:
    assert service.delete(path).status_code == 202, path
    service.drain()
    assert service.get(path).status_code == 404, path


def nic(address: str, subnet: str = "sub") -> dict[str, Any]:
    return {"labels": {"env": "conformance"}, "spec": {
        "addresses": [address], "publicIpRefs": [ref("public-ips/pip")],
        "subnetRef": full(f"networks/net/subnets/{subnet}")}}


def test_provider_lifecycle_with_nics(service: Service) -> None:
    created(service, WS_PATH, {"spec": {}})
    created(service, f"{NET}/networks/net", {"spec": {"cidr": {"ipv4": "10.1.0.0/16"},
                                                      "skuRef": ref(f"{SKUS}/hetzner-private-network")}})
    created(service, f"{NET}/internet-gateways/ig", {"spec": {}})
    active(service, f"{NET}/internet-gateways/ig")
    updated(service, f"{NET}/internet-gateways/ig", {"spec": {"egressOnly": True}})
    table = {"spec": {"routes": [{"destinationCidrBlock": "0.0.0.0/0", "targetRef": full("internet-gateways/ig")}]}}
    created(service, f"{NET}/networks/net/route-tables/rt", table)
    active(service, f"{NET}/networks/net/route-tables/rt")
    updated(service, f"{NET}/networks/net/route-tables/rt", {"spec": {"routes": [
        {"destinationCidrBlock": "0.0.0.0/0", "targetRef": ref(
            f"seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances/never-created")}]}})
    subnet = {"spec": {"cidr": {"ipv4": "10.1.1.0/24"}, "zone": "fsn1",
                       "routeTableRef": full("networks/net/route-tables/rt")}}
    created(service, f"{NET}/networks/net/subnets/sub", subnet)
    active(service, f"{NET}/networks/net/subnets/sub")
    updated(service, f"{NET}/networks/net/subnets/sub", {"spec": {**subnet["spec"], "zone": "nbg1"}})
    # the NIC names its public IP before the IP exists
    created(service, f"{NET}/nics/nic", nic("10.1.1.1"))
    active(service, f"{NET}/nics/nic")
    assert updated(service, f"{NET}/nics/nic", nic("10.1.1.2"))["spec"]["addresses"] == ["10.1.1.2"]
    created(service, f"{NET}/public-ips/pip", {"spec": {"version": "IPv4", "address": "52.93.126.1"}})
    active(service, f"{NET}/public-ips/pip")
    updated(service, f"{NET}/public-ips/pip", {"spec": {"version": "IPv4", "address": "52.93.126.2"}})
    rule = {"spec": {"direction": "ingress", "protocol": "tcp", "ports": {"from": 80, "to": 80}}}
    created(service, f"{NET}/security-group-rules/rule", rule)
    active(service, f"{NET}/security-group-rules/rule")
    updated(service, f"{NET}/security-group-rules/rule", {"spec": {**rule["spec"], "direction": "egress"}})
    created(service, f"{NET}/security-groups/sg", {"spec": {"ruleRefs": [full("security-group-rules/rule")]}})
    active(service, f"{NET}/security-groups/sg")
    updated(service, f"{NET}/security-groups/sg", {"spec": {"ruleRefs": [full("security-group-rules/rule")],
                                                            "rules": [{"direction": "ingress"}]}})
    created(service, f"{STORAGE}/disk", {"spec": {"sizeGB": 20, "skuRef": ref(
        f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme")}})
    created(service, f"{COMPUTE}/vm", {"spec": {
        "skuRef": ref(f"seca.compute/v1/tenants/{TENANT}/skus/cx23"), "zone": "fsn1",
        "bootVolume": {"deviceRef": ref("block-storages/disk")}, "primaryNicRef": ref("nics/nic"),
        "securityGroupRef": ref("security-groups/sg")}})
    vm = active(service, f"{COMPUTE}/vm")
    assert vm["status"]["powerState"] == "off"
    carried = service.get(f"{NET}/nics/nic").json()["status"]
    pip = service.get(f"{NET}/public-ips/pip").json()["status"]
    assert carried["addresses"] == ["10.1.1.2"] and carried["publicIpRefs"] == [ref("public-ips/pip")]
    assert pip["ipAddress"] and carried["conditions"][0]["reason"] == "Attached"
    for path in (f"{COMPUTE}/vm", f"{STORAGE}/disk", f"{NET}/security-group-rules/rule", f"{NET}/security-groups/sg",
                 f"{NET}/nics/nic", f"{NET}/public-ips/pip", f"{NET}/networks/net/subnets/sub",
                 f"{NET}/networks/net/route-tables/rt", f"{NET}/internet-gateways/ig", f"{NET}/networks/net",
                 WS_PATH):
        deleted_with_watch(service, path)
    projects = service.simulator.state.dump()["projects"]
    here = hashlib.sha256(WS.encode()).hexdigest()[:16]  # the workspace label (other modules share the simulator)
    owned = [o for project in projects.values() for plural in ("servers", "primary_ips", "firewalls", "networks")
             for o in project.get(plural, []) if o["labels"].get("secapi.cloud/workspace") == here]
    assert owned == []


def test_queries_two_nics_of_one_address_nothing_waited_for(service: Service) -> None:
    ws = WS_PATH + "-q"
    base = NET.replace(f"/workspaces/{WS}", f"/workspaces/{WS}-q")
    assert service.put(ws, {"spec": {}}).status_code == 201
    sku = {"skuRef": ref(f"{SKUS}/hetzner-private-network")}
    assert service.put(f"{base}/networks/net", {"spec": {"cidr": {"ipv4": "10.1.0.0/16"}, **sku}}).status_code == 201
    table = ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}-q/networks/net/route-tables/rt")
    assert service.put(f"{base}/networks/net/subnets/sub", {"spec": {
        "cidr": {"ipv4": "10.1.1.0/24"}, "zone": "fsn1", "routeTableRef": table}}).status_code == 201
    subnet = ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}-q/networks/net/subnets/sub")
    for name in ("nic-1", "nic-2"):
        response = service.put(f"{base}/nics/{name}", {"labels": {"env": "conformance"}, "spec": {
            "addresses": ["10.1.1.1"], "subnetRef": subnet}})
        assert response.status_code == 201, response.text
    listed = service.get(f"{base}/nics", params={"labels": "env=conformance", "limit": 1}).json()
    assert [i["metadata"]["name"] for i in listed["items"]] == ["nic-1"] and listed["metadata"]["skipToken"]
    everything = service.get(f"{base}/nics").json()["items"]
    assert sorted(i["metadata"]["name"] for i in everything) == ["nic-1", "nic-2"]
    for path in (f"{base}/nics/nic-1", f"{base}/nics/nic-2", f"{base}/networks/net/subnets/sub",
                 f"{base}/networks/net", ws):
        assert service.delete(path).status_code in (202, 412), path
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and service.get(ws).status_code != 404:
        service.drain()
        service.delete(ws)  # refused (412) while its children were still being deleted
    assert service.get(ws).status_code == 404
