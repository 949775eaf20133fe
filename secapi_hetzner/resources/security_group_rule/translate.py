"""SECA security group rules → Hetzner firewall rules, and Hetzner's limits. Pure.

One SECA rule becomes one Hetzner rule per protocol and port range: Hetzner rules name one protocol
(tcp, udp, icmp, esp, gre) and one port or range. A rule without a protocol allows every protocol
Hetzner can filter (tcp and udp on every port, icmp, esp, gre). Peers become ``source_ips`` (ingress)
or ``destination_ips`` (egress): the rule's CIDR blocks and the addresses of the member servers of
the security groups it names; no peer means every address of the rule's version (``0.0.0.0/0``,
``::/0``, or both). Hetzner takes at most 100 blocks per rule, so more are split over several rules.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.hetzner.models import HFirewallRule
from secapi_hetzner.resources.security_group_rule.model import RuleSpec

#: Hetzner's limits (docs.hetzner.com/cloud/firewalls/overview#limits, and the set_rules reference)
MAX_RULES = 50
MAX_EFFECTIVE_RULES = 500
MAX_IPS_PER_RULE = 100
DIRECTIONS = {"ingress": "in", "egress": "out"}
ANY = {"IPv4": ("0.0.0.0/0",), "IPv6": ("::/0",), None: ("0.0.0.0/0", "::/0")}
EVERY_PROTOCOL = ("tcp", "udp", "icmp", "esp", "gre")
PROTOCOLS = {"tcp": ("tcp",), "udp": ("udp",), "tcp+udp": ("tcp", "udp"), "icmp": ("icmp",), None: EVERY_PROTOCOL}


@dataclass(frozen=True)
class Translated:
    """The Hetzner rules of one SECA rule, and the groups whose members it waits for (no address yet)."""

    rules: tuple[HFirewallRule, ...]
    waiting_for: tuple[str, ...] = ()


def peer_blocks(rule: RuleSpec, members: Mapping[str, Sequence[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CIDR blocks a rule allows (of its version), and the named groups with no address to add."""
    if rule.any_peer:
        return ANY[rule.version], ()
    blocks = list(rule.cidrs)
    waiting = []
    for group in rule.groups:
        found = [str(ipaddress.ip_network(a, strict=False)) for a in members.get(group, ())]
        found = [b for b in found if rule.version is None or f"IPv{ipaddress.ip_network(b).version}" == rule.version]
        if not found:
            waiting.append(group)
        blocks += [b for b in found if b not in blocks]
    return tuple(blocks), tuple(waiting)


def hetzner_rules(rule: RuleSpec, description: str, members: Mapping[str, Sequence[str]] | None = None) -> Translated:
    """The Hetzner firewall rules that allow what ``rule`` allows. ``members``: group name → the public
    addresses of its members (none known yet: that group adds nothing, and is reported)."""
    blocks, waiting = peer_blocks(rule, members or {})
    if not blocks:
        return Translated((), waiting)
    direction = DIRECTIONS[rule.direction]
    result = []
    for protocol in PROTOCOLS[rule.protocol]:
        ports: Iterable[str | None] = [None]  # icmp, esp, gre: no ports
        if protocol in ("tcp", "udp"):
            ports = [r.hetzner() for r in rule.ports] or ["any"]
        for port in ports:
            for start in range(0, len(blocks), MAX_IPS_PER_RULE):
                chunk = blocks[start:start + MAX_IPS_PER_RULE]
                result.append(HFirewallRule(
                    direction=direction, protocol=protocol, port=port,
                    source_ips=chunk if direction == "in" else (), destination_ips=chunk if direction == "out" else (),
                    description=description[:255] or None))
    return Translated(tuple(result), waiting)


def merged(parts: Iterable[Translated]) -> Translated:
    """The rules of several SECA rules as one firewall's: in order, each Hetzner rule once."""
    rules: list[HFirewallRule] = []
    seen: set[tuple[object, ...]] = set()
    waiting: list[str] = []
    for part in parts:
        for rule in part.rules:
            key = (rule.direction, rule.protocol, rule.port, rule.source_ips, rule.destination_ips)
            if key not in seen:
                seen.add(key)
                rules.append(rule)
        waiting += [g for g in part.waiting_for if g not in waiting]
    return Translated(tuple(rules), tuple(waiting))


def effective_rules(rules: Sequence[HFirewallRule]) -> int:
    """Hetzner's count of effective rules: one per address block of each rule."""
    return sum(max(1, len(rule.source_ips) + len(rule.destination_ips)) for rule in rules)


def check_limits(rules: Sequence[HFirewallRule], what: str) -> None:
    """412 naming Hetzner's limit when ``what`` (a security group) needs more than one firewall holds."""
    if len(rules) > MAX_RULES:
        raise PreconditionFailed(
            f"{what} needs {len(rules)} Hetzner firewall rules (one per protocol and port range; a rule without a "
            f"protocol needs five), but a Hetzner firewall holds at most {MAX_RULES} rules.")
    effective = effective_rules(rules)
    if effective > MAX_EFFECTIVE_RULES:
        raise PreconditionFailed(
            f"{what} needs {effective} effective Hetzner firewall rules (one per address block of each rule), but "
            f"a Hetzner firewall holds at most {MAX_EFFECTIVE_RULES}.")
