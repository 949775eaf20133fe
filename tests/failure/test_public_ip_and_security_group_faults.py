"""Hetzner misbehaving while public IPs (primary IPs) and security groups (firewalls) are created,
re-programmed and deleted: every fault is retried until the step succeeds, and the project ends with
exactly one primary IP and one firewall per resource (a create whose answer was lost is adopted by its
labels, never sent twice into a duplicate), and nothing once they are deleted."""

from __future__ import annotations

import pytest

from tests.conftest import TENANT
from tests.failure.conftest import TRANSIENT, WS, Hetzner, Run, read, states

POST, DELETE = "POST", "DELETE"
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
CREATE_PRIMARY_IP = (POST, r"^/primary_ips$")
DELETE_PRIMARY_IP = (DELETE, r"^/primary_ips/\d+$")
CREATE_FIREWALL = (POST, r"^/firewalls$")
SET_RULES = (POST, r"^/firewalls/\d+/actions/set_rules$")
DELETE_FIREWALL = (DELETE, r"^/firewalls/\d+$")

FAULTS = {name: TRANSIENT[name] for name in ("500-server-error", "503-unavailable", "429-rate-limited",
                                              "answer-lost", "answer-lost-in-timeout")}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_public_ip_create_and_delete_survive_a_fault(run: Run, hetzner: Hetzner, fault: str) -> None:
    name = f"pip-{fault}"
    run.arm([CREATE_PRIMARY_IP], **FAULTS[fault])
    run.put(f"{NET}/public-ips/{name}", {"spec": {"version": "IPv4"}}, 201)
    run.converge()
    got = read(run.service, f"{NET}/public-ips/{name}")
    assert states(got) == ["active", "creating", "pending"]
    [ip] = hetzner.owned("primary_ips", "public-ip", name)  # exactly one, whatever answer was lost
    assert got["status"]["ipAddress"] == ip["ip"] and ip["auto_delete"] is False
    assert len(hetzner.objects("primary_ips")) == 1

    run.arm([DELETE_PRIMARY_IP], **FAULTS[fault])
    run.delete(f"{NET}/public-ips/{name}")
    run.converge()
    run.gone(f"{NET}/public-ips/{name}")
    assert hetzner.objects("primary_ips") == []


@pytest.mark.parametrize("fault", list(FAULTS))
def test_security_group_create_update_and_delete_survive_a_fault(run: Run, hetzner: Hetzner, fault: str) -> None:
    name = f"sg-{fault}"
    path = f"{NET}/security-groups/{name}"
    ssh = {"direction": "ingress", "protocol": "tcp", "ports": {"from": 22}}
    run.arm([CREATE_FIREWALL, SET_RULES], **FAULTS[fault])
    run.put(path, {"spec": {"rules": [ssh]}}, 201)
    run.converge()
    assert states(read(run.service, path)) == ["active", "creating", "pending"]
    [firewall] = hetzner.owned("firewalls", "security-group", name)
    assert len(hetzner.objects("firewalls")) == 1
    assert [(r["protocol"], r["port"]) for r in firewall["rules"]] == [("tcp", "22")]

    run.arm([SET_RULES], **FAULTS[fault])
    web = {"direction": "ingress", "protocol": "tcp", "ports": {"list": [80, 443]}}
    assert run.put(path, {"spec": {"rules": [ssh, web]}}, 200)["status"]["state"] == "active"
    run.converge()
    assert states(read(run.service, path)) == ["active", "updating", "active", "creating", "pending"]
    [firewall] = hetzner.owned("firewalls", "security-group", name)
    assert [(r["protocol"], r["port"]) for r in firewall["rules"]] == [("tcp", "22"), ("tcp", "80"), ("tcp", "443")]

    run.arm([DELETE_FIREWALL], **FAULTS[fault])
    run.delete(path)
    run.converge()
    run.gone(path)
    assert hetzner.objects("firewalls") == []
