"""A security group's Hetzner firewall rules: its inline rules, then its referenced rules, merged. Pure."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from secapi_hetzner.hetzner.models import HFirewallRule
from secapi_hetzner.resources.security_group.model import SecurityGroupSpec
from secapi_hetzner.resources.security_group_rule.model import RuleSpec
from secapi_hetzner.resources.security_group_rule.translate import Translated, hetzner_rules, merged


@dataclass(frozen=True)
class GroupRules:
    rules: tuple[HFirewallRule, ...]
    #: referenced rules that do not exist (deleted between admission and this step)
    missing: tuple[str, ...] = ()
    #: peer groups with no member address yet (their rules are left out until they have one)
    waiting_for: tuple[str, ...] = ()

    def pending(self) -> str:
        """What the firewall does not hold yet, in words ('' when it holds every rule)."""
        parts = []
        if self.missing:
            parts.append(f"security group rule(s) {', '.join(self.missing)} do not exist")
        if self.waiting_for:
            parts.append(f"rules whose peers are security group(s) {', '.join(self.waiting_for)} wait for a member "
                         "with a public address (membership comes through instances and NICs)")
        return "; ".join(parts)


def group_rules(spec: SecurityGroupSpec, referenced: Mapping[str, RuleSpec | None],
                members: Mapping[str, Sequence[str]] | None = None) -> GroupRules:
    """``referenced``: rule name → its spec (None: it does not exist); ``members``: group → addresses."""
    parts: list[Translated] = [hetzner_rules(rule, f"rules[{index}]", members)
                               for index, rule in enumerate(spec.rules)]
    missing = []
    for name in spec.rule_names:
        rule = referenced.get(name)
        if rule is None:
            missing.append(name)
        else:
            parts.append(hetzner_rules(rule, f"rule {name}", members))
    result = merged(parts)
    return GroupRules(result.rules, tuple(missing), result.waiting_for)


def _port(protocol: str, port: str | None) -> str:
    """Equal port forms as one: ``1-65535`` (or none, for tcp/udp) is ``any``, ``80-80`` is ``80``."""
    if port is None:
        return "any" if protocol in ("tcp", "udp") else ""
    low, _, high = port.partition("-")
    if port == "1-65535":
        return "any"
    return low if high == low else port


def _blocks(ips: Iterable[str]) -> list[str]:
    """CIDR blocks in canonical form (Hetzner writes IPv6 blocks as RFC 5952 says), sorted."""
    canonical = []
    for ip in ips:
        try:
            canonical.append(str(ipaddress.ip_network(ip, strict=False)))
        except ValueError:
            canonical.append(ip)
    return sorted(canonical)


def rules_digest(rules: Iterable[HFirewallRule]) -> str:
    """A digest of what rules allow (order, descriptions and spelling aside): what was set, and what
    Hetzner shows, compare equal."""
    canonical = sorted(json.dumps([r.direction, r.protocol, _port(r.protocol, r.port), _blocks(r.source_ips),
                                   _blocks(r.destination_ips)]) for r in rules)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()[:16]
