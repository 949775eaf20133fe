"""Hetzner misbehaving while an instance carries NICs: the server create with a NIC's public IP and
firewall, attaching, re-addressing and detaching networks, alias IPs, swapping primary IPs, applying and
removing firewalls. Every fault is retried until the step succeeds; the project ends with one server, one
attachment per network, one primary IP per public IP (none left behind by the server), one application
per firewall, and nothing of the instance once it is deleted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TENANT
from tests.failure.conftest import (
    COMPUTE,
    STORAGE,
    TRANSIENT,
    WS,
    Hetzner,
    Run,
    internet_facing_network,
    read,
    storage_body,
)
from tests.support.refs import ref

NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
POST = "POST"
CREATE_SERVER = (POST, r"^/servers$")
ATTACH = (POST, r"^/servers/\d+/actions/attach_to_network$")
DETACH = (POST, r"^/servers/\d+/actions/detach_from_network$")
ALIAS_IPS = (POST, r"^/servers/\d+/actions/change_alias_ips$")
ASSIGN = (POST, r"^/primary_ips/\d+/actions/assign$")
UNASSIGN = (POST, r"^/primary_ips/\d+/actions/unassign$")
APPLY = (POST, r"^/firewalls/\d+/actions/apply_to_resources$")
REMOVE = (POST, r"^/firewalls/\d+/actions/remove_from_resources$")

FAULTS = {name: TRANSIENT[name] for name in ("answer-lost", "429-rate-limited", "timeout-done-late")}


def nic_body(addresses: list[str], pip: str | None, group: str | None, tag: str) -> dict[str, Any]:
    subnet = f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net{tag}/subnets/sub{tag}"
    return {"spec": {"addresses": addresses, "subnetRef": ref(subnet),
                     "publicIpRefs": [ref(f"public-ips/{pip}")] if pip else [],
                     "securityGroupRefs": [ref(f"security-groups/{group}")] if group else []}}


def server_of(hetzner: Hetzner, name: str) -> dict[str, Any]:
    [server] = hetzner.owned("servers", "instance", name)
    return server


def firewall_applications(hetzner: Hetzner, group: str) -> list[int]:
    [wall] = hetzner.owned("firewalls", "security-group", group)
    return [entry["server"]["id"] for entry in wall["applied_to"]]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_an_instance_carrying_a_nic_survives_a_fault_at_every_networking_step(
        run: Run, hetzner: Hetzner, fault: str) -> None:
    run.late = "latency" in FAULTS[fault]
    tag = fault.replace("-", "")[:10]
    vm, nic, one, two, group = f"vm{tag}", f"nic{tag}", f"one{tag}", f"two{tag}", f"sg{tag}"
    for path, body in ((f"{NET}/public-ips/{one}", {"spec": {"version": "IPv4"}}),
                       (f"{NET}/public-ips/{two}", {"spec": {"version": "IPv4"}}),
                       (f"{NET}/security-groups/{group}", {"spec": {"rules": [
                           {"direction": "ingress", "protocol": "tcp", "ports": {"from": 22, "to": 22}}]}}),
                       (f"{STORAGE}/boot{tag}", storage_body(20))):
        run.put(path, body, 201)
    for path, body in internet_facing_network(tag, 40):
        run.put(path, body, 201)
    run.converge()
    run.put(f"{NET}/nics/{nic}", nic_body(["10.40.1.10", "10.40.1.11"], one, group, tag), 201)
    run.put(f"{COMPUTE}/{vm}", {"spec": {
        "skuRef": ref(f"seca.compute/v1/tenants/{TENANT}/skus/cx23"), "zone": "fsn1",
        "bootVolume": {"deviceRef": ref(f"block-storages/boot{tag}")}, "primaryNicRef": ref(f"nics/{nic}")}}, 201)
    run.arm([CREATE_SERVER, ATTACH], **FAULTS[fault])
    run.converge()
    assert read(run.service, f"{COMPUTE}/{vm}")["status"]["state"] == "active"
    server = server_of(hetzner, vm)
    [attachment] = server["private_net"]
    assert (attachment["ip"], attachment["alias_ips"]) == ("10.40.1.10", ["10.40.1.11"])
    [first] = hetzner.owned("primary_ips", "public-ip", one)
    assert server["public_net"]["ipv4"]["id"] == first["id"]
    assert firewall_applications(hetzner, group) == [server["id"]]

    # alias IPs change, the public IP is swapped, the security group is dropped
    run.put(f"{NET}/nics/{nic}", nic_body(["10.40.1.10", "10.40.1.12"], two, None, tag), 200)
    run.arm([ALIAS_IPS, UNASSIGN, ASSIGN, REMOVE], **FAULTS[fault])
    run.converge()
    server = server_of(hetzner, vm)
    [attachment] = server["private_net"]
    assert attachment["alias_ips"] == ["10.40.1.12"]
    [second] = hetzner.owned("primary_ips", "public-ip", two)
    assert server["public_net"]["ipv4"]["id"] == second["id"]
    assert hetzner.owned("primary_ips", "public-ip", one)[0]["assignee_id"] is None
    assert firewall_applications(hetzner, group) == []

    # the address changes (detach, attach again) and the group comes back
    run.put(f"{NET}/nics/{nic}", nic_body(["10.40.1.20"], two, group, tag), 200)
    run.arm([DETACH, ATTACH, APPLY], **FAULTS[fault])
    run.converge()
    server = server_of(hetzner, vm)
    assert [(a["ip"], a["alias_ips"]) for a in server["private_net"]] == [("10.40.1.20", [])]
    assert firewall_applications(hetzner, group) == [server["id"]]
    assert read(run.service, f"{NET}/nics/{nic}")["status"]["addresses"] == ["10.40.1.20"]
    # the server's own IPv6 is still the only other primary IP: nothing was created twice
    assert len([p for p in hetzner.objects("primary_ips") if p["assignee_id"] == server["id"]]) == 2

    run.delete(f"{COMPUTE}/{vm}")
    run.converge()
    for path in (f"{NET}/nics/{nic}", f"{NET}/public-ips/{one}", f"{NET}/public-ips/{two}",
                 f"{NET}/security-groups/{group}", f"{STORAGE}/boot{tag}"):
        run.delete(path)
    run.converge()
    assert hetzner.leftovers() == {}
    assert hetzner.objects("firewalls") == []
