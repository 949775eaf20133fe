"""Security groups and security group rules over HTTP: Hetzner firewalls created, programmed with
``set_rules`` and deleted through the real hcloud client against the simulator, in the sequences the
official suite's security-group scenarios use."""

from __future__ import annotations

from typing import Any

import pytest
from hcloud import Client
from hcloud.firewalls import Firewall, FirewallRule

from secapi_hetzner.app.services import current
from tests.conftest import TENANT, Service

WS = "ws-sg"
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
RULES = f"{NET}/security-group-rules"
GROUPS = f"{NET}/security-groups"
ANY = ["0.0.0.0/0", "::/0"]


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def firewalls(service: Service) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump()["projects"]
    return [f for project in projects.values() for f in project.get("firewalls", [])
            if f["labels"].get("secapi.cloud/kind") == "security-group"]


def firewall_of(service: Service, group: str) -> dict[str, Any]:
    [found] = [f for f in firewalls(service) if f["labels"].get("secapi.cloud/name") == group]
    return found


def rules_of(service: Service, group: str) -> list[tuple[str, str, str | None, list[str]]]:
    """(direction, protocol, port, peers) of each rule of the group's firewall."""
    return [(r["direction"], r["protocol"], r["port"], r["source_ips"] or r["destination_ips"])
            for r in firewall_of(service, group)["rules"]]


def every_protocol(direction: str, peers: list[str] = ANY) -> list[tuple[str, str, str | None, list[str]]]:
    return [(direction, "tcp", "any", peers), (direction, "udp", "any", peers), (direction, "icmp", None, peers),
            (direction, "esp", None, peers), (direction, "gre", None, peers)]


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}}).status_code \
        in (200, 201)


def test_rule_then_group_lifecycle_as_the_provider_scenario_runs_it(service: Service) -> None:
    labels = {"env": "development"}
    created = service.put(f"{RULES}/rule-1", {"labels": labels, "spec": {"direction": "ingress"}})
    assert created.status_code == 201, created.text
    assert created.json()["status"]["state"] == "pending"
    assert created.json()["metadata"]["kind"] == "security-group-rule"
    service.drain()
    assert states(service.get(f"{RULES}/rule-1").json()) == ["active", "creating", "pending"]
    updated = service.put(f"{RULES}/rule-1", {"labels": labels, "spec": {"direction": "egress"}})
    assert updated.status_code == 200 and updated.json()["status"]["state"] == "active"
    service.drain()
    assert states(service.get(f"{RULES}/rule-1").json()) == ["active", "updating", "active", "creating", "pending"]
    assert firewalls(service) == []  # a rule alone is no Hetzner object

    ref = {"resource": f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/security-group-rules/rule-1"}
    group = service.put(f"{GROUPS}/group-1", {"labels": labels, "spec": {"ruleRefs": [ref]}})
    assert group.status_code == 201, group.text
    assert group.json()["spec"]["ruleRefs"] == [ref] and group.json()["status"]["state"] == "pending"
    service.drain()
    got = service.get(f"{GROUPS}/group-1").json()
    assert states(got) == ["active", "creating", "pending"] and "reason" not in got["status"]["conditions"][0]
    firewall = firewall_of(service, "group-1")
    assert firewall["labels"]["secapi.cloud/kind"] == "security-group" and firewall["applied_to"] == []
    assert rules_of(service, "group-1") == every_protocol("out")

    # the suite adds an inline rule: answered active, the condition says the firewall is being set
    both = service.put(f"{GROUPS}/group-1", {"labels": labels, "spec": {
        "ruleRefs": [ref], "rules": [{"direction": "ingress", "protocol": "tcp", "ports": {"from": 80, "to": 85}}]}})
    assert both.status_code == 200 and both.json()["status"]["state"] == "active"
    assert both.json()["status"]["conditions"][0]["reason"] == "SettingRules"
    service.drain()
    got = service.get(f"{GROUPS}/group-1").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert "reason" not in got["status"]["conditions"][0]
    assert rules_of(service, "group-1") == [("in", "tcp", "80-85", ANY), *every_protocol("out")]

    # a referenced rule changes: the group's firewall follows
    changed = service.put(f"{RULES}/rule-1", {"labels": labels, "spec": {
        "direction": "egress", "protocol": "udp", "version": "IPv4", "ports": {"list": [53, 123]},
        "sourceRef": [{"resource": "10.1.0.0/16"}, {"resource": "192.0.2.7"}]}})
    assert changed.status_code == 200 and changed.json()["status"]["state"] == "active"
    service.drain()
    peers = ["10.1.0.0/16", "192.0.2.7/32"]
    assert rules_of(service, "group-1") == [("in", "tcp", "80-85", ANY), ("out", "udp", "53", peers),
                                             ("out", "udp", "123", peers)]
    assert service.get(f"{GROUPS}/group-1").json()["status"]["state"] == "active"

    # the suite deletes the rule before its group: it leaves the firewall, and the group says so
    assert service.delete(f"{RULES}/rule-1").status_code == 202
    service.drain()
    assert service.get(f"{RULES}/rule-1").status_code == 404
    assert rules_of(service, "group-1") == [("in", "tcp", "80-85", ANY)]
    got = service.get(f"{GROUPS}/group-1").json()
    assert got["status"]["state"] == "active" and got["status"]["conditions"][0]["reason"] == "RulesPending"
    assert "rule-1" in got["status"]["conditions"][0]["message"]
    # ... and comes back when the rule does
    assert service.put(f"{RULES}/rule-1", {"spec": {"direction": "egress", "protocol": "icmp"}}).status_code == 201
    service.drain()
    assert rules_of(service, "group-1") == [("in", "tcp", "80-85", ANY), ("out", "icmp", None, ANY)]
    assert "reason" not in service.get(f"{GROUPS}/group-1").json()["status"]["conditions"][0]
    # a group naming a rule that does not exist (now) is refused, as the suite's SecurityGroupError expects
    assert service.delete(f"{RULES}/rule-1").status_code == 202
    again = service.put(f"{GROUPS}/group-1", {"labels": {"env": "other"}, "spec": {"ruleRefs": [ref]}})
    assert again.status_code == 412 and "rule-1" in again.json()["detail"]
    assert service.delete(f"{GROUPS}/group-1").status_code == 202
    service.drain()
    assert service.get(f"{GROUPS}/group-1").status_code == 404 and firewalls(service) == []


def test_inline_rules_lifecycle_as_the_group_scenario_runs_it(service: Service) -> None:
    assert service.put(f"{GROUPS}/group-2", {"spec": {"rules": [{"direction": "ingress"}]}}).status_code == 201
    service.drain()
    assert rules_of(service, "group-2") == every_protocol("in")
    updated = service.put(f"{GROUPS}/group-2", {"spec": {"rules": [{"direction": "egress"}]}})
    assert updated.json()["status"]["state"] == "active"
    service.drain()
    assert states(service.get(f"{GROUPS}/group-2").json()) == ["active", "updating", "active", "creating", "pending"]
    assert rules_of(service, "group-2") == every_protocol("out")
    empty = service.put(f"{GROUPS}/group-2", {"spec": {}})  # no rule: everything is dropped inbound
    assert empty.status_code == 200
    service.drain()
    assert rules_of(service, "group-2") == []
    assert service.delete(f"{GROUPS}/group-2").status_code == 202
    service.drain()
    assert firewalls(service) == []


def test_queries_two_rules_and_two_groups_without_waiting(service: Service) -> None:
    for name in ("q-rule-1", "q-rule-2"):
        assert service.put(f"{RULES}/{name}", {"labels": {"env": "conformance"},
                                               "spec": {"direction": "ingress"}}).status_code == 201
    for name in ("q-group-1", "q-group-2"):
        body = {"labels": {"env": "conformance"}, "spec": {"rules": [{"direction": "ingress"}]}}
        assert service.put(f"{GROUPS}/{name}", body).status_code == 201
    for path in (RULES, GROUPS):
        page = service.get(path, params={"labels": "env=conformance", "limit": 1}).json()
        assert len(page["items"]) == 1 and page["metadata"]["skipToken"]
        assert len(service.get(path, params={"labels": "env=conformance"}).json()["items"]) == 2
    service.drain()
    assert len([f for f in firewalls(service) if f["labels"]["secapi.cloud/name"].startswith("q-group")]) == 2
    for path in (f"{RULES}/q-rule-1", f"{GROUPS}/q-group-1"):
        body = service.get(path).json()
        version = body["metadata"]["resourceVersion"]
        stale = service.put(path, {"spec": body["spec"]}, headers={"if-unmodified-since": str(version - 1)})
        assert stale.status_code == 412 and "resourceVersion" in stale.json()["detail"]
        fresh = service.put(path, {"spec": body["spec"]}, headers={"if-unmodified-since": str(version)})
        assert fresh.status_code == 200 and fresh.json()["status"]["state"] == "active"
    service.drain()
    for name in ("q-group-1", "q-group-2"):
        assert service.delete(f"{GROUPS}/{name}").status_code == 202
    for name in ("q-rule-1", "q-rule-2"):
        assert service.delete(f"{RULES}/{name}").status_code == 202
    service.drain()
    assert firewalls(service) == []


@pytest.mark.parametrize(("spec", "detail"), [
    ({"direction": "ingress", "ports": {}}, "ports needs protocol"),  # the suite's "port 0" payloads
    ({"direction": "ingress", "protocol": "tcp", "ports": {}}, "names no port"),
    ({"direction": "ingress", "ports": {"from": 80}}, "needs protocol"),
    ({"direction": "ingress", "protocol": "tcp", "ports": {"from": 90, "to": 80}}, "above"),
    ({"direction": "ingress", "protocol": "icmp", "icmp": {"type": 8, "code": 0}}, "ICMP type"),
    ({"direction": "ingress", "version": "IPv6", "sourceRef": [{"resource": "10.0.0.0/8"}]}, "not an IPv6"),
    ({"direction": "ingress", "sourceRef": [{"resource": "instances/vm"}]}, "cannot follow instances"),
    ({"direction": "ingress", "sourceRef": [{"resource": "security-groups/nope"}]}, "does not exist"),
])
def test_rule_rejections(service: Service, spec: dict[str, Any], detail: str) -> None:
    response = service.put(f"{RULES}/bad-rule", {"spec": spec})
    assert response.status_code == 412 and detail in response.json()["detail"], response.text
    inline = service.put(f"{GROUPS}/bad-group", {"spec": {"rules": [spec]}})
    assert inline.status_code == 412 and detail in inline.json()["detail"], inline.text
    assert "/spec/rules/0" in inline.json()["sources"][0]["pointer"]


def test_group_refusals_name_the_missing_rule_and_the_limit(service: Service) -> None:
    missing = service.put(f"{GROUPS}/bad-group", {"spec": {"ruleRefs": [{"resource": "security-group-rules/none"}]}})
    assert missing.status_code == 412 and "'none'" in missing.json()["detail"]
    eleven = [{"direction": "ingress", "version": "IPv4",
                                                 "sourceRef": [{"resource": f"10.{i}.0.0/16"}]} for i in range(11)]
    too_many = service.put(f"{GROUPS}/bad-group", {"spec": {"rules": eleven}})  # 11 rules x 5 protocols = 55
    assert too_many.status_code == 412 and "at most 50 rules" in too_many.json()["detail"]
    blocks = [{"resource": f"10.{i}.{j}.0/24"} for i in range(4) for j in range(32)][:128]
    wide = [{"direction": "ingress", "protocol": "tcp", "ports": {"list": [22, 80, 443, 8080]},
             "sourceRef": blocks[k * 32:(k + 1) * 32]} for k in range(4)]
    effective = service.put(f"{GROUPS}/bad-group", {"spec": {"rules": wide}})  # 16 rules x 32 blocks = 512
    assert effective.status_code == 412 and "at most 500" in effective.json()["detail"]
    assert service.get(f"{GROUPS}/bad-group").status_code == 404

    # a change of a shared rule that would push a group over the limit is refused, naming the group
    assert service.put(f"{RULES}/shared", {"spec": {"direction": "ingress"}}).status_code == 201
    inline = [{"direction": "ingress", "protocol": "tcp", "ports": {"from": 1000 + i}} for i in range(44)]
    body = {"spec": {"rules": inline, "ruleRefs": [{"resource": "security-group-rules/shared"}]}}
    assert service.put(f"{GROUPS}/near-limit", body).status_code == 201  # 44 + 5 protocols = 49
    grown = service.put(f"{RULES}/shared", {"spec": {"direction": "ingress", "protocol": "tcp",
                                                      "ports": {"list": [1, 3, 5, 7, 9, 11]}}})
    assert grown.status_code == 200  # 44 + 6 ports = 50
    service.drain()
    assert len(firewall_of(service, "near-limit")["rules"]) == 50
    wider = service.put(f"{RULES}/shared", {"spec": {"direction": "ingress", "protocol": "tcp+udp",
                                                      "ports": {"list": [1, 3, 5, 7]}}})  # 44 + 8
    assert wider.status_code == 412 and "'near-limit'" in wider.json()["detail"]
    assert service.delete(f"{GROUPS}/near-limit").status_code == 202
    assert service.delete(f"{RULES}/shared").status_code == 202
    service.drain()


def test_group_peers_wait_for_members_and_self_reference(service: Service) -> None:
    body = {"spec": {"rules": [{"direction": "ingress", "sourceRef": [{"resource": "security-groups/peers"}]},
                               {"direction": "ingress", "protocol": "tcp", "ports": {"from": 22}}]}}
    assert service.put(f"{GROUPS}/peers", body).status_code == 201
    service.drain()
    got = service.get(f"{GROUPS}/peers").json()
    assert got["status"]["state"] == "active"
    assert got["status"]["conditions"][0]["reason"] == "RulesPending" and "peers" in \
        got["status"]["conditions"][0]["message"]
    assert rules_of(service, "peers") == [("in", "tcp", "22", ANY)]
    assert service.delete(f"{GROUPS}/peers").status_code == 202
    service.drain()


def test_firewall_changed_or_deleted_outside_is_drift_and_a_put_restores_it(service: Service) -> None:
    assert service.put(f"{GROUPS}/drift", {"spec": {"rules": [{"direction": "ingress", "protocol": "tcp",
                                                               "ports": {"from": 443}}]}}).status_code == 201
    service.drain()
    firewall = firewall_of(service, "drift")
    console = Client(token=f"simulated-project-{TENANT}", api_endpoint=service.simulator.url, timeout=5)
    console.firewalls.set_rules(Firewall(id=firewall["id"]), [FirewallRule("in", "tcp", ["0.0.0.0/0"], "22")])
    current().drift.run_once()
    got = service.get(f"{GROUPS}/drift").json()
    assert got["status"]["state"] == "error" and got["status"]["conditions"][0]["reason"] == "ChangedOutsideService"
    body = {"spec": {"rules": [{"direction": "ingress", "protocol": "tcp", "ports": {"from": 443}}]}}
    assert service.put(f"{GROUPS}/drift", body).status_code == 200
    service.drain()
    assert rules_of(service, "drift") == [("in", "tcp", "443", ANY)]
    assert service.get(f"{GROUPS}/drift").json()["status"]["state"] == "active"

    console.firewalls.delete(Firewall(id=firewall["id"]))
    current().drift.run_once()
    assert service.get(f"{GROUPS}/drift").json()["status"]["conditions"][0]["reason"] == "DeletedOutsideService"
    assert service.put(f"{GROUPS}/drift", body).status_code == 200
    service.drain()
    assert service.get(f"{GROUPS}/drift").json()["status"]["state"] == "active"
    assert rules_of(service, "drift") == [("in", "tcp", "443", ANY)] and firewall_of(service, "drift")["id"] != \
        firewall["id"]
    assert service.delete(f"{GROUPS}/drift").status_code == 202
    service.drain()
    assert firewalls(service) == []


def test_hetzner_calls_per_operation(service: Service) -> None:
    project = f"simulated-project-{TENANT}"

    def calls() -> dict[str, int]:
        counts: dict[str, int] = service.simulator.state.request_counts(project)["by_route"]
        return dict(counts)

    def spent(before: dict[str, int]) -> dict[str, int]:
        return {route: n - before.get(route, 0) for route, n in calls().items() if n != before.get(route, 0)}

    before = calls()
    assert service.put(f"{GROUPS}/cost", {"spec": {"rules": [{"direction": "ingress", "protocol": "tcp"}]}}) \
        .status_code == 201
    service.drain()
    created = spent(before)
    assert created.pop("POST /firewalls") == 1 and created.pop("POST /firewalls/{id}/actions/set_rules") == 1
    assert set(created) <= {"GET /actions", "GET /actions/{id}"}  # following the one action
    before = calls()
    assert service.put(f"{GROUPS}/cost", {"labels": {"a": "b"}, "spec": {
        "rules": [{"direction": "ingress", "protocol": "tcp"}]}}).status_code == 200
    service.drain()
    assert spent(before) == {}  # the same rules: nothing to do on Hetzner
    assert service.delete(f"{GROUPS}/cost").status_code == 202
    service.drain()
