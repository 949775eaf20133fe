"""Workers dying at the worst moments of a public IP's and a security group's creation: stuck in the
create whose effect Hetzner carried out (another worker adopts the object by its labels), and killed
while following the firewall's set_rules action (another follows the same action). Each ends with
exactly one primary IP or firewall."""

from __future__ import annotations

import threading
from typing import Any

from tests.conftest import TENANT, Service, hetzner_pace
from tests.failure.conftest import (
    WS,
    Hetzner,
    Workers,
    accepted,
    claim_as_dead_worker,
    make_stale,
    operations,
    read,
    sql,
    states,
    wait_until,
)

HANG = 1.0
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
CREATED = ["active", "creating", "pending"]


def internal(kind: str, name: str) -> dict[str, Any]:
    [row] = sql("SELECT internal FROM resources WHERE kind = %s AND name = %s AND purged_at IS NULL", kind, name)
    value: dict[str, Any] = row["internal"]
    return value


def test_a_worker_stuck_after_hetzner_created_the_primary_ip_is_replaced_by_one_that_adopts_it(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    stuck, fresh = workers.new(hetzner_timeout=4 * HANG), workers.new()
    hetzner.fault("POST", r"^/primary_ips$", after_effect=True, latency=HANG)  # created at once, answered late
    accepted(service.put(f"{NET}/public-ips/pip-stuck", {"spec": {"version": "IPv4"}}), 201)
    thread = threading.Thread(target=stuck.run_once, name="stuck-worker", daemon=True)
    thread.start()
    [ip] = wait_until(lambda: hetzner.owned("primary_ips", "public-ip", "pip-stuck"), what="the primary IP")
    assert not internal("public-ip", "pip-stuck").get("primary_ip_id")  # never recorded by the stuck worker

    make_stale(stuck.id)
    fresh.drain(timeout=20)
    thread.join(timeout=8 * HANG)
    assert not thread.is_alive()
    body = read(service, f"{NET}/public-ips/pip-stuck")
    assert states(body) == CREATED and body["status"]["ipAddress"] == ip["ip"]
    assert [p["id"] for p in hetzner.objects("primary_ips")] == [ip["id"]]  # adopted, not created twice
    accepted(service.delete(f"{NET}/public-ips/pip-stuck"), 202)
    fresh.drain(timeout=20)
    assert hetzner.objects("primary_ips") == []


def test_a_worker_stuck_after_hetzner_created_the_firewall_is_replaced_by_one_that_adopts_it(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    stuck, fresh = workers.new(hetzner_timeout=4 * HANG), workers.new()
    hetzner.fault("POST", r"^/firewalls$", after_effect=True, latency=HANG)
    body = {"spec": {"rules": [{"direction": "ingress", "protocol": "tcp", "ports": {"from": 22}}]}}
    accepted(service.put(f"{NET}/security-groups/sg-stuck", body), 201)
    thread = threading.Thread(target=stuck.run_once, name="stuck-worker", daemon=True)
    thread.start()
    [firewall] = wait_until(lambda: hetzner.owned("firewalls", "security-group", "sg-stuck"), what="the firewall")

    make_stale(stuck.id)
    fresh.drain(timeout=20)
    thread.join(timeout=8 * HANG)
    assert not thread.is_alive()
    hetzner.quiet()
    assert states(read(service, f"{NET}/security-groups/sg-stuck")) == CREATED
    [only] = hetzner.objects("firewalls")
    assert only["id"] == firewall["id"] and [(r["protocol"], r["port"]) for r in only["rules"]] == [("tcp", "22")]
    accepted(service.delete(f"{NET}/security-groups/sg-stuck"), 202)
    fresh.drain(timeout=20)
    assert hetzner.objects("firewalls") == []


def test_a_worker_killed_while_following_set_rules_is_replaced_by_one_that_follows_the_same_action(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    first, fresh = workers.new(), workers.new()
    hetzner.state.set_action_timing(manual=True)  # set_rules runs until the test finishes it
    try:
        body = {"spec": {"rules": [{"direction": "egress", "protocol": "udp", "ports": {"from": 53}}]}}
        accepted(service.put(f"{NET}/security-groups/sg-follow", body), 201)
        assert first.run_once()  # creates the firewall, sends set_rules and starts following its action
        [op] = operations("security-group", "sg-follow")
        [action] = hetzner.actions("set_firewall_rules", "running")
        assert op["action_id"] == action["id"] and str(op["step"]).startswith("set-rules/")

        dead, _ = claim_as_dead_worker("security-group", "sg-follow")  # its next poll dies with it
        make_stale(dead)
        fresh.run_once()
        assert read(service, f"{NET}/security-groups/sg-follow")["status"]["state"] == "creating"
        assert operations("security-group", "sg-follow")[0]["action_id"] == action["id"]  # the same action
        assert len(hetzner.actions("set_firewall_rules")) == 1 and len(hetzner.objects("firewalls")) == 1

        hetzner.state.complete_action(action["id"])
        fresh.drain(timeout=20)
        assert states(read(service, f"{NET}/security-groups/sg-follow")) == CREATED
        assert len(hetzner.actions("set_firewall_rules")) == 1
    finally:
        hetzner_pace(hetzner.state)
    accepted(service.delete(f"{NET}/security-groups/sg-follow"), 202)
    fresh.drain(timeout=20)
    assert hetzner.objects("firewalls") == []
