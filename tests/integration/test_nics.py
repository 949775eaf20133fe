"""NICs over HTTP: the lifecycle the official suite runs, and instances carrying NICs, carried out by the
worker through the real hcloud client against the simulator. Every step asserts what Hetzner then has:
attachments and addresses, primary IPs, firewalls, routes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TENANT, Service
from tests.support.refs import ref

WS = "ws-nic"
BASE = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
NETS = f"{BASE}/networks"
NICS = f"{BASE}/nics"
PIPS = f"{BASE}/public-ips"
GROUPS = f"{BASE}/security-groups"
IGS = f"{BASE}/internet-gateways"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
NET_SKU = {"resource": f"seca.network/v1/tenants/{TENANT}/skus/hetzner-private-network"}
LOCAL_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


#: a route to an instance that never exists (a route table needs one route)
GHOST_ROUTE = {"spec": {"routes": [{"destinationCidrBlock": "192.168.60.0/24",
                                    "targetRef": {"resource": "instances/ghost"}}]}}


def subnet_ref(network: str, subnet: str) -> dict[str, str]:
    return ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/{network}/subnets/{subnet}")


def nic_body(addresses: list[str], network: str = "net-n", subnet: str = "sub-a", pips: tuple[str, ...] = (),
             groups: tuple[str, ...] = ()) -> dict[str, Any]:
    spec: dict[str, Any] = {"addresses": addresses, "subnetRef": subnet_ref(network, subnet)}
    if pips:
        spec["publicIpRefs"] = [ref(f"public-ips/{p}") for p in pips]
    if groups:
        spec["securityGroupRefs"] = [ref(f"security-groups/{g}") for g in groups]
    return {"labels": {"env": "conformance"}, "spec": spec}


def instance_body(disk: str, nics: tuple[str, ...] = (), group: str | None = None,
                  zone: str = "fsn1") -> dict[str, Any]:
    spec: dict[str, Any] = {"skuRef": ref(f"seca.compute/v1/tenants/{TENANT}/skus/cx23"), "zone": zone,
                            "bootVolume": {"deviceRef": ref(f"block-storages/{disk}")}}
    if nics:
        spec["primaryNicRef"] = ref(f"nics/{nics[0]}")
        if nics[1:]:
            spec["additionalNicRefs"] = [ref(f"nics/{n}") for n in nics[1:]]
    if group:
        spec["securityGroupRef"] = ref(f"security-groups/{group}")
    return {"spec": spec}


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def hetzner(service: Service, collection: str) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [item for project in projects.values() for item in project.get(collection, [])]


def server_of(service: Service, instance: str) -> dict[str, Any]:
    found = [s for s in hetzner(service, "servers") if s["labels"].get("secapi.cloud/kind") == "instance"
             and s["labels"].get("secapi.cloud/name") == instance]
    assert len(found) == 1, found
    return found[0]


def labelled(service: Service, collection: str, kind: str, name: str) -> dict[str, Any]:
    [found] = [i for i in hetzner(service, collection) if i["labels"].get("secapi.cloud/kind") == kind
               and i["labels"].get("secapi.cloud/name") == name]
    return found


def network_id(service: Service, network: str) -> int:
    return int(labelled(service, "networks", "network", network)["id"])


def firewall_servers(service: Service, group: str) -> list[int]:
    wall = labelled(service, "firewalls", "security-group", group)
    return sorted(entry["server"]["id"] for entry in wall["applied_to"] if entry["type"] == "server")


def create(service: Service, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = service.put(path, body)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    create(service, f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}})
    create(service, f"{NETS}/net-n", {"spec": {"cidr": {"ipv4": "10.1.0.0/16"}, "skuRef": NET_SKU}})
    create(service, f"{NETS}/net-n/route-tables/rt-a", GHOST_ROUTE)
    create(service, f"{NETS}/net-n/route-tables/rt-pub", {"spec": {"routes": [
        {"destinationCidrBlock": "0.0.0.0/0", "targetRef": ref("internet-gateways/ig")}]}})
    create(service, f"{IGS}/ig", {"spec": {}})
    table = f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net-n/route-tables"
    create(service, f"{NETS}/net-n/subnets/sub-a", {"spec": {"cidr": {"ipv4": "10.1.1.0/24"}, "zone": "fsn1",
                                                             "routeTableRef": ref(f"{table}/rt-a")}})
    create(service, f"{NETS}/net-n/subnets/sub-pub", {"spec": {"cidr": {"ipv4": "10.1.2.0/24"}, "zone": "fsn1",
                                                               "routeTableRef": ref(f"{table}/rt-pub")}})
    service.drain()


def test_nic_lifecycle_as_the_suite_runs_it(service: Service) -> None:
    # the public IP is named before it exists (the suite creates it afterwards)
    created = service.put(f"{NICS}/nic-l", nic_body(["10.1.1.1"], pips=("pip-later",)))
    assert created.status_code == 201, created.text
    assert created.json()["metadata"]["kind"] == "nic" and created.json()["status"]["state"] == "pending"
    service.drain()
    got = service.get(f"{NICS}/nic-l").json()
    assert states(got) == ["active", "creating", "pending"]
    assert got["status"]["conditions"][0]["reason"] == "NotAttached"
    assert "addresses" not in got["status"]  # nothing on Hetzner carries it: no address is reported

    updated = service.put(f"{NICS}/nic-l", nic_body(["10.1.1.2"], pips=("pip-later",)))
    assert updated.status_code == 200 and updated.json()["status"]["state"] == "active"
    assert updated.json()["spec"]["addresses"] == ["10.1.1.2"]
    assert create(service, f"{PIPS}/pip-later", {"spec": {"version": "IPv4"}})["status"]["state"] == "pending"
    service.drain()
    listed = service.get(NICS, params={"labels": "env=conformance"}).json()
    assert "nic-l" in [i["metadata"]["name"] for i in listed["items"]]
    # the public IP is named by the NIC: it cannot go first
    refused = service.delete(f"{PIPS}/pip-later")
    assert refused.status_code == 412 and "nic-l" in refused.json()["detail"]
    assert service.delete(f"{NICS}/nic-l").status_code == 202
    service.drain()
    assert service.get(f"{NICS}/nic-l").status_code == 404
    assert service.delete(f"{PIPS}/pip-later").status_code == 202
    service.drain()


@pytest.mark.parametrize(("body", "detail"), [
    (nic_body(["10.1.9.1"]), "not a host address of subnet 10.1.1.0/24"),
    (nic_body(["10.1.1.0"]), "not a host address"),
    (nic_body(["10.1.0.1"], subnet="sub-a"), "not a host address"),
    (nic_body(["fd00::5"]), "IPv4 only"),
    (nic_body(["10.1.1.5", "10.1.1.5"]), "given twice"),
    (nic_body(["10.1.1.5", "0.0.0.0"]), "only the first address may be 0.0.0.0"),
    (nic_body(["not-an-ip"]), "is not an IP address"),
    (nic_body(["10.1.1.5"], subnet="nope"), "does not exist"),
    (nic_body(["10.1.1.5"], network="nope"), "does not exist"),
    (nic_body(["10.1.1.5"], groups=("missing-group",)), "does not exist"),
    ({"spec": {"addresses": ["10.1.1.5"], "subnetRef": ref("subnets/sub-a")}}, "must name the subnet's network"),
])
def test_nic_rejections_name_the_field(service: Service, body: dict[str, Any], detail: str) -> None:
    response = service.put(f"{NICS}/bad-nic", body)
    assert response.status_code == 412, response.text
    assert detail in response.json()["detail"]
    assert service.get(f"{NICS}/bad-nic").status_code == 404  # nothing was kept


def test_the_network_gateway_is_refused(service: Service) -> None:
    create(service, f"{NETS}/net-g", {"spec": {"cidr": {"ipv4": "10.7.0.0/16"}, "skuRef": NET_SKU}})
    table = ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net-g/route-tables/rt-g")
    create(service, f"{NETS}/net-g/subnets/sub-g", {"spec": {"cidr": {"ipv4": "10.7.0.0/24"}, "zone": "fsn1",
                                                             "routeTableRef": table}})
    response = service.put(f"{NICS}/gw-nic", nic_body(["10.7.0.1"], network="net-g", subnet="sub-g"))
    assert response.status_code == 412 and "gateway" in response.json()["detail"]


def test_two_public_ips_of_one_family_are_refused(service: Service) -> None:
    for name in ("four-a", "four-b"):
        create(service, f"{PIPS}/{name}", {"spec": {"version": "IPv4"}})
    response = service.put(f"{NICS}/two-four", nic_body(["10.1.1.30"], pips=("four-a", "four-b")))
    assert response.status_code == 412 and "one primary IP of each family" in response.json()["detail"]
    create(service, f"{NICS}/holder", nic_body(["10.1.1.31"], pips=("four-a",)))
    taken = service.put(f"{NICS}/taker", nic_body(["10.1.1.32"], pips=("four-a",)))
    assert taken.status_code == 412 and "used by NIC 'holder'" in taken.json()["detail"]
    service.delete(f"{NICS}/holder")
    service.drain()
    for name in ("four-a", "four-b"):
        service.delete(f"{PIPS}/{name}")
    service.drain()


def test_a_private_nic_makes_a_private_only_server_with_the_nic_address(service: Service) -> None:
    create(service, f"{STORAGE}/boot-p", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    create(service, f"{NICS}/nic-p", nic_body(["10.1.1.20", "10.1.1.21"]))
    create(service, f"{NETS}/net-n/route-tables/rt-a", {"spec": {"routes": [
        {"destinationCidrBlock": "192.168.50.0/24", "targetRef": ref("instances/vm-p")}]}})
    create(service, f"{COMPUTE}/vm-p", instance_body("boot-p", ("nic-p",)))
    service.drain()
    vm = service.get(f"{COMPUTE}/vm-p").json()
    assert vm["status"]["state"] == "active", service.operations()
    server = server_of(service, "vm-p")
    # no route to an internet gateway: no public interface at all
    assert server["public_net"]["ipv4"] is None and server["public_net"]["ipv6"] is None
    [attachment] = server["private_net"]
    assert attachment["network"] == network_id(service, "net-n")
    assert attachment["ip"] == "10.1.1.20" and attachment["alias_ips"] == ["10.1.1.21"]
    nic = service.get(f"{NICS}/nic-p").json()
    assert nic["status"]["addresses"] == ["10.1.1.20", "10.1.1.21"]
    assert nic["status"]["macAddress"] == attachment["mac_address"]
    assert nic["status"]["conditions"][0]["reason"] == "Attached"
    # the route targeting the instance is programmed to its address in the network
    service.drain()
    [network] = [n for n in hetzner(service, "networks") if n["id"] == network_id(service, "net-n")]
    assert {"destination": "192.168.50.0/24", "gateway": "10.1.1.20"} in network["routes"]

    in_use = service.delete(f"{NICS}/nic-p")
    assert in_use.status_code == 412 and "vm-p" in in_use.json()["detail"]
    taken = service.put(f"{COMPUTE}/vm-q", instance_body("boot-p", ("nic-p",)))
    assert taken.status_code == 412 and "used by instance 'vm-p'" in taken.json()["detail"]

    # the NIC's address changes: Hetzner re-addresses by detaching and attaching again
    assert service.put(f"{NICS}/nic-p", nic_body(["10.1.1.22"])).json()["status"]["state"] == "active"
    service.drain()
    [attachment] = server_of(service, "vm-p")["private_net"]
    assert attachment["ip"] == "10.1.1.22" and attachment["alias_ips"] == []
    assert service.get(f"{NICS}/nic-p").json()["status"]["addresses"] == ["10.1.1.22"]
    service.drain()
    [network] = [n for n in hetzner(service, "networks") if n["id"] == network_id(service, "net-n")]
    assert {"destination": "192.168.50.0/24", "gateway": "10.1.1.22"} in network["routes"]

    assert service.delete(f"{COMPUTE}/vm-p").status_code == 202
    service.drain()
    assert "addresses" not in service.get(f"{NICS}/nic-p").json()["status"]
    create(service, f"{NETS}/net-n/route-tables/rt-a", GHOST_ROUTE)
    for path in (f"{NICS}/nic-p", f"{STORAGE}/boot-p"):
        assert service.delete(path).status_code == 202
    service.drain()


def test_a_public_nic_binds_its_public_ip_and_security_group(service: Service) -> None:
    create(service, f"{STORAGE}/boot-w", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    create(service, f"{PIPS}/pip-w", {"spec": {"version": "IPv4"}})
    create(service, f"{PIPS}/pip-w2", {"spec": {"version": "IPv4"}})
    create(service, f"{GROUPS}/web", {"spec": {"rules": [
        {"direction": "ingress", "protocol": "tcp", "ports": {"from": 443, "to": 443}}]}})
    create(service, f"{NICS}/nic-w", nic_body(["10.1.2.10"], subnet="sub-pub", pips=("pip-w",), groups=("web",)))
    create(service, f"{COMPUTE}/vm-w", instance_body("boot-w", ("nic-w",)))
    service.drain()
    assert service.get(f"{COMPUTE}/vm-w").json()["status"]["state"] == "active", service.operations()
    server = server_of(service, "vm-w")
    pip = labelled(service, "primary_ips", "public-ip", "pip-w")
    assert server["public_net"]["ipv4"]["id"] == pip["id"] and pip["assignee_id"] == server["id"]
    assert server["public_net"]["ipv6"] is not None  # behind an internet gateway: public on both families
    assert [a["ip"] for a in server["private_net"]] == ["10.1.2.10"]
    assert firewall_servers(service, "web") == [server["id"]]
    nic = service.get(f"{NICS}/nic-w").json()
    assert nic["status"]["publicIpRefs"] == [ref("public-ips/pip-w")]

    # the IP moves to another public IP: swapped while the server is off, the old one left unassigned
    create(service, f"{NICS}/nic-w", nic_body(["10.1.2.10"], subnet="sub-pub", pips=("pip-w2",), groups=("web",)))
    service.drain()
    server = server_of(service, "vm-w")
    second = labelled(service, "primary_ips", "public-ip", "pip-w2")
    assert server["public_net"]["ipv4"]["id"] == second["id"]
    assert labelled(service, "primary_ips", "public-ip", "pip-w")["assignee_id"] is None
    assert service.get(f"{NICS}/nic-w").json()["status"]["publicIpRefs"] == [ref("public-ips/pip-w2")]

    # a rule added to the group reaches the firewall; removing the group from the NIC removes the firewall
    create(service, f"{GROUPS}/web", {"spec": {"rules": [
        {"direction": "ingress", "protocol": "tcp", "ports": {"from": 443, "to": 443}},
        {"direction": "ingress", "protocol": "tcp", "ports": {"from": 22, "to": 22}}]}})
    service.drain()
    ports = {r["port"] for r in labelled(service, "firewalls", "security-group", "web")["rules"]}
    assert {"443", "22"} <= ports
    create(service, f"{NICS}/nic-w", nic_body(["10.1.2.10"], subnet="sub-pub", pips=("pip-w2",)))
    service.drain()
    assert firewall_servers(service, "web") == []

    assert service.delete(f"{COMPUTE}/vm-w").status_code == 202
    service.drain()
    assert labelled(service, "primary_ips", "public-ip", "pip-w2")["assignee_id"] is None  # kept, unassigned
    for path in (f"{NICS}/nic-w", f"{PIPS}/pip-w", f"{PIPS}/pip-w2", f"{GROUPS}/web", f"{STORAGE}/boot-w"):
        assert service.delete(path).status_code == 202, path
    service.drain()
    assert [p for p in hetzner(service, "primary_ips") if p["labels"].get("secapi.cloud/kind") == "public-ip"
            and p["labels"].get("secapi.cloud/name") in ("pip-w", "pip-w2")] == []
    assert [s for s in hetzner(service, "servers") if s["labels"].get("secapi.cloud/name") == "vm-w"] == []


def test_an_instance_waits_for_a_public_ip_named_before_it_exists_and_moves_it_to_its_zone(
        service: Service) -> None:
    create(service, f"{STORAGE}/boot-z", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    create(service, f"{PIPS}/pip-z", {"spec": {"version": "IPv4"}})
    service.drain()
    first = labelled(service, "primary_ips", "public-ip", "pip-z")
    assert first["location"]["name"] == "fsn1"
    create(service, f"{NICS}/nic-z", nic_body(["0.0.0.0"], pips=("pip-z",)))
    create(service, f"{COMPUTE}/vm-z", instance_body("boot-z", ("nic-z",), zone="nbg1"))
    service.drain()
    assert service.get(f"{COMPUTE}/vm-z").json()["status"]["state"] == "active", service.operations()
    moved = labelled(service, "primary_ips", "public-ip", "pip-z")
    assert moved["location"]["name"] == "nbg1" and moved["id"] != first["id"]
    server = server_of(service, "vm-z")
    assert server["public_net"]["ipv4"]["id"] == moved["id"]
    pip = service.get(f"{PIPS}/pip-z").json()
    assert pip["status"]["ipAddress"] == moved["ip"]
    assert pip["status"]["conditions"][0]["reason"] == "Moved" and first["ip"] in pip["status"]["conditions"][0][
        "message"]
    [attachment] = server["private_net"]
    nic = service.get(f"{NICS}/nic-z").json()
    assert nic["status"]["addresses"] == [attachment["ip"]] and attachment["ip"].startswith("10.1.1.")
    # a zone change with a public IP is refused: Hetzner primary IPs stay in their location
    body = instance_body("boot-z", ("nic-z",), zone="fsn1")
    refused = service.put(f"{COMPUTE}/vm-z", body)
    assert refused.status_code == 412 and "primary IPs stay in their location" in refused.json()["detail"]
    for path in (f"{COMPUTE}/vm-z",):
        service.delete(path)
    service.drain()
    for path in (f"{NICS}/nic-z", f"{PIPS}/pip-z", f"{STORAGE}/boot-z"):
        assert service.delete(path).status_code == 202
    service.drain()
    assert [p for p in hetzner(service, "primary_ips") if p["labels"].get("secapi.cloud/name") == "pip-z"] == []


def test_security_group_peers_are_the_members_public_addresses(service: Service) -> None:
    create(service, f"{STORAGE}/boot-m", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    create(service, f"{GROUPS}/app", {"spec": {"rules": []}})
    create(service, f"{GROUPS}/db", {"spec": {"rules": [
        {"direction": "ingress", "protocol": "tcp", "ports": {"from": 5432, "to": 5432},
         "sourceRef": [ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/security-groups/app")]}]}})
    service.drain()
    before = service.get(f"{GROUPS}/db").json()
    assert before["status"]["conditions"][0].get("reason") == "RulesPending"
    create(service, f"{COMPUTE}/vm-m", instance_body("boot-m", group="app"))
    service.drain()
    server = server_of(service, "vm-m")
    assert firewall_servers(service, "app") == [server["id"]]
    rules = labelled(service, "firewalls", "security-group", "db")["rules"]
    sources = {s for rule in rules for s in rule["source_ips"]}
    assert f"{server['public_net']['ipv4']['ip']}/32" in sources
    assert "reason" not in service.get(f"{GROUPS}/db").json()["status"]["conditions"][0]
    # the member goes: the peer rule waits again
    service.delete(f"{COMPUTE}/vm-m")
    service.drain()
    rules = labelled(service, "firewalls", "security-group", "db")["rules"]
    assert not any(f"{server['public_net']['ipv4']['ip']}/32" in rule["source_ips"] for rule in rules)
    for path in (f"{GROUPS}/db", f"{GROUPS}/app", f"{STORAGE}/boot-m"):
        assert service.delete(path).status_code == 202
    service.drain()


def test_a_zone_change_keeps_a_private_nic_and_its_address(service: Service) -> None:
    create(service, f"{STORAGE}/boot-mv", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    create(service, f"{NICS}/nic-mv", nic_body(["10.1.1.40"]))
    create(service, f"{COMPUTE}/vm-mv", instance_body("boot-mv", ("nic-mv",)))
    service.drain()
    before = server_of(service, "vm-mv")
    assert before["location"]["name"] == "fsn1" and [a["ip"] for a in before["private_net"]] == ["10.1.1.40"]
    assert service.put(f"{COMPUTE}/vm-mv", instance_body("boot-mv", ("nic-mv",), zone="nbg1")).status_code == 200
    service.drain()
    vm = service.get(f"{COMPUTE}/vm-mv").json()
    assert vm["status"]["state"] == "active", service.operations()[-2:]
    after = server_of(service, "vm-mv")
    assert after["id"] != before["id"] and after["location"]["name"] == "nbg1"
    assert after["public_net"]["ipv4"] is None  # still private-only
    assert [(a["network"], a["ip"]) for a in after["private_net"]] == [(network_id(service, "net-n"), "10.1.1.40")]
    nic = service.get(f"{NICS}/nic-mv").json()
    assert nic["status"]["addresses"] == ["10.1.1.40"] and str(after["id"]) in nic["status"]["conditions"][0]["message"]
    service.delete(f"{COMPUTE}/vm-mv")
    service.drain()
    for path in (f"{NICS}/nic-mv", f"{STORAGE}/boot-mv"):
        assert service.delete(path).status_code == 202
    service.drain()


def test_two_instances_racing_for_one_nic_leave_one_attachment(service: Service) -> None:
    import concurrent.futures

    create(service, f"{NICS}/nic-race", nic_body(["10.1.1.50"]))
    for name in ("boot-r1", "boot-r2"):
        create(service, f"{STORAGE}/{name}", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    service.drain()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda n: service.put(f"{COMPUTE}/vm-{n}", instance_body(f"boot-{n}", ("nic-race",))),
                                ("r1", "r2")))
    assert sorted(a.status_code for a in answers) in ([201, 201], [201, 412])
    service.drain()
    states_by_name = {n: service.get(f"{COMPUTE}/vm-{n}") for n in ("r1", "r2")}
    winners = [n for n, r in states_by_name.items() if r.status_code == 200 and r.json()["status"]["state"] == "active"]
    assert len(winners) == 1, {n: r.json()["status"] for n, r in states_by_name.items() if r.status_code == 200}
    losers = [r.json() for n, r in states_by_name.items() if n not in winners and r.status_code == 200]
    assert all(body["status"]["conditions"][0]["reason"] == "NicInUse" for body in losers)
    attached = [a for s in hetzner(service, "servers") for a in s["private_net"] if a["ip"] == "10.1.1.50"]
    assert len(attached) == 1
    assert service.get(f"{NICS}/nic-race").json()["status"]["conditions"][0]["message"].startswith(
        f"Carried by instance 'vm-{winners[0]}'")
    for n in ("r1", "r2"):
        service.delete(f"{COMPUTE}/vm-{n}")
    service.drain()
    for path in (f"{NICS}/nic-race", f"{STORAGE}/boot-r1", f"{STORAGE}/boot-r2"):
        assert service.delete(path).status_code == 202
    service.drain()


def test_a_private_server_given_a_public_ip_gets_its_firewall_too(service: Service) -> None:
    create(service, f"{STORAGE}/boot-pv", {"spec": {"sizeGB": 20, "skuRef": LOCAL_SKU}})
    create(service, f"{GROUPS}/pv", {"spec": {"rules": [
        {"direction": "ingress", "protocol": "tcp", "ports": {"from": 22, "to": 22}}]}})
    create(service, f"{PIPS}/pip-pv", {"spec": {"version": "IPv4"}})
    create(service, f"{NICS}/nic-pv", nic_body(["10.1.1.60"], groups=("pv",)))
    create(service, f"{COMPUTE}/vm-pv", instance_body("boot-pv", ("nic-pv",)))
    service.drain()
    server = server_of(service, "vm-pv")
    assert server["public_net"]["ipv4"] is None and firewall_servers(service, "pv") == []  # private-only: none
    create(service, f"{NICS}/nic-pv", nic_body(["10.1.1.60"], pips=("pip-pv",), groups=("pv",)))
    service.drain()
    server = server_of(service, "vm-pv")
    assert server["public_net"]["ipv4"]["id"] == labelled(service, "primary_ips", "public-ip", "pip-pv")["id"]
    assert firewall_servers(service, "pv") == [server["id"]]
    service.delete(f"{COMPUTE}/vm-pv")
    service.drain()
    for path in (f"{NICS}/nic-pv", f"{PIPS}/pip-pv", f"{GROUPS}/pv", f"{STORAGE}/boot-pv"):
        assert service.delete(path).status_code == 202
    service.drain()
