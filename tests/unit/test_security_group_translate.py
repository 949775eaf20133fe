"""The pure SECA → Hetzner firewall translation: every protocol, port form, peer form, direction and
version; inline and referenced rules merged; Hetzner's limits; the public IP's spec."""

from __future__ import annotations

from typing import Any

import pytest

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.hetzner.models import HFirewallRule
from secapi_hetzner.resources.public_ip.model import PublicIpRecord, PublicIpSpec
from secapi_hetzner.resources.security_group.model import SecurityGroupRecord, SecurityGroupSpec
from secapi_hetzner.resources.security_group.translate import group_rules, rules_digest
from secapi_hetzner.resources.security_group_rule.model import PortRange, RuleSpec, merge_ranges
from secapi_hetzner.resources.security_group_rule.translate import (
    MAX_EFFECTIVE_RULES,
    MAX_RULES,
    check_limits,
    effective_rules,
    hetzner_rules,
)

V4, V6 = "0.0.0.0/0", "::/0"


def rules(spec: dict[str, Any], members: dict[str, tuple[str, ...]] | None = None) -> list[tuple[Any, ...]]:
    translated = hetzner_rules(RuleSpec.parse(spec), "d", members)
    return [(r.direction, r.protocol, r.port, r.source_ips, r.destination_ips) for r in translated.rules]


def refused(spec: dict[str, Any], field: str = "spec") -> PreconditionFailed:
    with pytest.raises(PreconditionFailed) as caught:
        RuleSpec.parse(spec, field, tenant="acme", workspace="ws")
    return caught.value


# -- protocols and directions -----------------------------------------------------------------------------

def test_a_rule_with_only_a_direction_allows_every_protocol_from_everywhere() -> None:
    both = (V4, V6)
    assert rules({"direction": "ingress"}) == [
        ("in", "tcp", "any", both, ()), ("in", "udp", "any", both, ()), ("in", "icmp", None, both, ()),
        ("in", "esp", None, both, ()), ("in", "gre", None, both, ())]


def test_egress_peers_are_destinations() -> None:
    assert rules({"direction": "egress", "protocol": "icmp"}) == [("out", "icmp", None, (), (V4, V6))]


@pytest.mark.parametrize(("protocol", "expected"), [
    ("tcp", [("tcp", "any")]), ("udp", [("udp", "any")]), ("tcp+udp", [("tcp", "any"), ("udp", "any")]),
    ("icmp", [("icmp", None)]),
])
def test_each_protocol(protocol: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(r[1], r[2]) for r in rules({"direction": "ingress", "protocol": protocol})] == expected


@pytest.mark.parametrize(("version", "blocks"), [("IPv4", (V4,)), ("IPv6", (V6,)), (None, (V4, V6))])
def test_version_picks_the_any_blocks(version: str | None, blocks: tuple[str, ...]) -> None:
    spec = {"direction": "ingress", "protocol": "tcp", **({"version": version} if version else {})}
    assert rules(spec) == [("in", "tcp", "any", blocks, ())]


# -- ports ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ports", "expected"), [
    ({"from": 80}, ["80"]),
    ({"to": 443}, ["443"]),
    ({"from": 80, "to": 85}, ["80-85"]),
    ({"from": 1, "to": 65535}, ["1-65535"]),
    ({"list": [443, 22, 22]}, ["22", "443"]),
    ({"from": 80, "to": 85, "list": [22, 84, 86, 8080]}, ["22", "80-86", "8080"]),  # union, adjacent merged
    ({"from": 80, "to": 80}, ["80"]),
])
def test_port_forms(ports: dict[str, Any], expected: list[str]) -> None:
    got = rules({"direction": "ingress", "protocol": "tcp", "ports": ports})
    assert [r[2] for r in got] == expected


def test_tcp_and_udp_get_every_port_range() -> None:
    got = rules({"direction": "ingress", "protocol": "tcp+udp", "ports": {"list": [53, 123]}})
    assert [(r[1], r[2]) for r in got] == [("tcp", "53"), ("tcp", "123"), ("udp", "53"), ("udp", "123")]


def test_merge_ranges() -> None:
    assert merge_ranges([PortRange(5, 9), PortRange(1, 3), PortRange(4, 4), PortRange(20, 30), PortRange(25, 26)]) \
        == (PortRange(1, 9), PortRange(20, 30))


@pytest.mark.parametrize(("spec", "words", "pointer"), [
    ({"direction": "ingress", "ports": {}}, "needs protocol", "/spec/ports"),  # the suite's "port 0" payload
    ({"direction": "ingress", "protocol": "tcp", "ports": {}}, "names no port", "/spec/ports"),
    ({"direction": "ingress", "protocol": "tcp", "ports": {"list": []}}, "names no port", "/spec/ports"),
    ({"direction": "ingress", "protocol": "icmp", "ports": {"from": 1}}, "needs protocol", "/spec/ports"),
    ({"direction": "ingress", "protocol": "tcp", "ports": {"from": 0}}, "1 to 65535", "/spec/ports/from"),
    ({"direction": "ingress", "protocol": "tcp", "ports": {"to": 65536}}, "1 to 65535", "/spec/ports/to"),
    ({"direction": "ingress", "protocol": "tcp", "ports": {"list": [80, True]}}, "1 to 65535", "/spec/ports/list/1"),
    ({"direction": "ingress", "protocol": "tcp", "ports": {"from": 9, "to": 8}}, "above", "/spec/ports"),
    ({"direction": "ingress", "protocol": "tcp", "ports": {"list": list(range(1, 102))}}, "at most 100",
     "/spec/ports/list"),
    ({"direction": "ingress", "protocol": "tcp", "ports": "80"}, "object", "/spec/ports"),
    ({"direction": "sideways"}, "ingress or egress", "/spec/direction"),
    ({}, "ingress or egress", "/spec/direction"),
    ({"direction": "ingress", "version": "IPv5"}, "IPv4 or IPv6", "/spec/version"),
    ({"direction": "ingress", "protocol": "ftp"}, "one of", "/spec/protocol"),
    ({"direction": "ingress", "protocol": "icmp", "icmp": {"type": 8, "code": 0}}, "ICMP type", "/spec/icmp"),
])
def test_refusals_name_the_field(spec: dict[str, Any], words: str, pointer: str) -> None:
    error = refused(spec)
    assert words in error.detail and error.pointer == pointer


def test_an_inline_rule_is_named_by_its_place() -> None:
    error = refused({"direction": "up"}, "spec.rules.3")
    assert error.detail.startswith("spec.rules.3.direction") and error.pointer == "/spec/rules/3/direction"


# -- peers ------------------------------------------------------------------------------------------------

def test_cidr_and_address_peers_normalised_and_deduplicated() -> None:
    spec = {"direction": "ingress", "protocol": "tcp", "sourceRef": [
        {"resource": "10.0.0.5/24"}, {"resource": "192.0.2.7"}, {"resource": "10.0.0.0/24"},
        {"resource": "2001:db8::/32"}, {"resource": "2001:db8::1"}]}
    assert rules(spec) == [("in", "tcp", "any",
                            ("10.0.0.0/24", "192.0.2.7/32", "2001:db8::/32", "2001:db8::1/128"), ())]


def test_peers_of_the_other_version_are_refused() -> None:
    error = refused({"direction": "ingress", "version": "IPv4", "sourceRef": [{"resource": "::/0"}]})
    assert "not an IPv4" in error.detail and error.pointer == "/spec/sourceRef/0"


@pytest.mark.parametrize("ref", [{"resource": "instances/vm"}, {"resource": "internet-gateways/gw"},
                                 {"resource": "nics/n"}])
def test_peers_hetzner_cannot_follow_are_refused(ref: dict[str, str]) -> None:
    assert "cannot follow" in refused({"direction": "ingress", "sourceRef": [ref]}).detail


def test_peer_refs_must_be_references() -> None:
    assert "not a reference" in refused({"direction": "ingress", "sourceRef": [{"resource": "not a thing"}]}).detail
    assert "another workspace" in refused({"direction": "ingress", "sourceRef": [
        {"resource": "seca.network/v1/tenants/acme/workspaces/other/security-groups/g"}]}).detail
    assert "at most 32" in refused({"direction": "ingress", "sourceRef": [{"resource": "10.0.0.0/8"}] * 33}).detail


def test_group_peers_use_member_addresses_or_wait() -> None:
    spec = {"direction": "ingress", "protocol": "tcp", "version": "IPv4",
            "sourceRef": [{"resource": "security-groups/web"}, {"resource": "security-groups/empty"}]}
    translated = hetzner_rules(RuleSpec.parse(spec), "d", {"web": ("203.0.113.4", "2001:db8::/64")})
    assert [r.source_ips for r in translated.rules] == [("203.0.113.4/32",)]  # the IPv6 member is left out
    assert translated.waiting_for == ("empty",)
    nobody = hetzner_rules(RuleSpec.parse({**spec, "sourceRef": [{"resource": "security-groups/web"}]}), "d", {})
    assert nobody.rules == () and nobody.waiting_for == ("web",)


def test_more_than_100_blocks_are_split() -> None:
    blocks = [{"resource": f"10.{i // 256}.{i % 256}.0/24"} for i in range(32)]
    spec = RuleSpec.parse({"direction": "egress", "protocol": "udp", "sourceRef": blocks})
    many = RuleSpec(direction="egress", protocol="udp", cidrs=tuple(f"10.0.{i}.0/24" for i in range(250)))
    assert len(hetzner_rules(spec, "d").rules) == 1
    split = hetzner_rules(many, "d").rules
    assert [len(r.destination_ips) for r in split] == [100, 100, 50]
    assert effective_rules(split) == 250


# -- groups: inline and referenced rules merged -----------------------------------------------------------

def test_inline_and_referenced_rules_merge_in_order_without_duplicates() -> None:
    spec = SecurityGroupSpec.parse({"rules": [{"direction": "ingress", "protocol": "tcp", "ports": {"from": 22}}],
                                    "ruleRefs": [{"resource": "security-group-rules/web"},
                                                 {"resource": "security-group-rules/ssh"},
                                                 {"resource": "security-group-rules/gone"}]},
                                   tenant="acme", workspace="ws")
    referenced: dict[str, RuleSpec | None] = {
        "web": RuleSpec.parse({"direction": "ingress", "protocol": "tcp", "ports": {"list": [80, 443]}}),
        "ssh": RuleSpec.parse({"direction": "ingress", "protocol": "tcp", "ports": {"from": 22}}),  # a duplicate
        "gone": None}
    result = group_rules(spec, referenced)
    assert [(r.port, r.description) for r in result.rules] == [("22", "rules[0]"), ("80", "rule web"),
                                                               ("443", "rule web")]
    assert result.missing == ("gone",) and "gone" in result.pending()
    assert group_rules(SecurityGroupSpec.parse({}), {}).rules == ()  # no rule: Hetzner drops all inbound


def test_group_spec_refusals() -> None:
    with pytest.raises(PreconditionFailed, match="must reference security-group-rules"):
        SecurityGroupSpec.parse({"ruleRefs": [{"resource": "security-groups/g"}]}, tenant="acme", workspace="ws")
    with pytest.raises(PreconditionFailed, match="spec.rules.1.protocol"):
        SecurityGroupSpec.parse({"rules": [{"direction": "ingress"}, {"direction": "ingress", "protocol": "x"}]})


def test_limits_name_hetzner_s_numbers() -> None:
    one = HFirewallRule(direction="in", protocol="tcp", port="1", source_ips=("0.0.0.0/0",))
    check_limits([one] * MAX_RULES, "g")
    with pytest.raises(PreconditionFailed, match=f"at most {MAX_RULES} rules"):
        check_limits([one] * (MAX_RULES + 1), "Security group 'g'")
    wide = HFirewallRule(direction="in", protocol="tcp", port="1", source_ips=tuple(f"10.0.{i}.0/24" for i in range(
        100)))
    check_limits([wide] * 5, "g")
    with pytest.raises(PreconditionFailed, match=f"at most {MAX_EFFECTIVE_RULES}"):
        check_limits([wide] * 5 + [one], "g")


def test_digest_ignores_order_and_descriptions() -> None:
    a = HFirewallRule(direction="in", protocol="tcp", port="22", source_ips=("0.0.0.0/0", "::/0"), description="x")
    b = HFirewallRule(direction="out", protocol="icmp", destination_ips=("::/0",))
    moved = HFirewallRule(direction="in", protocol="tcp", port="22", source_ips=("::/0", "0.0.0.0/0"))
    assert rules_digest([a, b]) == rules_digest([b, moved])
    assert rules_digest([a]) != rules_digest([b]) and rules_digest([]) != rules_digest([a])
    spelled = HFirewallRule(direction="in", protocol="tcp", port="1-65535", source_ips=("2001:0db8::/32",))
    assert rules_digest([spelled]) == rules_digest([HFirewallRule(direction="in", protocol="tcp", port="any",
                                                                  source_ips=("2001:db8::/32",))])
    assert rules_digest([HFirewallRule(direction="in", protocol="tcp")]) == \
        rules_digest([HFirewallRule(direction="in", protocol="tcp", port="any")])
    assert rules_digest([HFirewallRule(direction="in", protocol="udp", port="53-53")]) == \
        rules_digest([HFirewallRule(direction="in", protocol="udp", port="53")])


# -- public IPs and records ------------------------------------------------------------------------------

def test_public_ip_spec() -> None:
    assert PublicIpSpec.parse({"version": "IPv4", "address": "52.93.126.1"}).family == "ipv4"
    assert PublicIpSpec.parse({"version": "IPv6"}).family == "ipv6"
    for bad, words in (({"version": "IPv5"}, "IPv4 or IPv6"), ({"version": "IPv6", "address": "10.0.0.1"},
                                                               "not an IPv6"),
                       ({"version": "IPv4", "address": "host"}, "not an IP address")):
        with pytest.raises(PreconditionFailed, match=words):
            PublicIpSpec.parse(bad)


def test_records_round_trip() -> None:
    record = PublicIpRecord(primary_ip_id=7, location="fsn1", ip="192.0.2.1", create_attempts=1)
    assert PublicIpRecord.from_json(record.to_json()) == record
    group = SecurityGroupRecord(firewall_id=3, rules_key="abc", create_attempts=0)
    assert SecurityGroupRecord.from_json(group.to_json()) == group
    with pytest.raises(ValueError, match="no field"):
        SecurityGroupRecord.from_json({"server_id": 1})
