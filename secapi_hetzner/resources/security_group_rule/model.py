"""One SECA security group rule (a SecurityGroupRule's spec, or one inline rule of a security group),
parsed and checked once. Pure.

What Hetzner firewalls cannot express is refused here (412 naming the field) rather than widened:
ICMP type/code matches, peers other than CIDR blocks, addresses and security groups, and an empty
``ports`` object (it names no port; the official suite's "port 0" payloads arrive as ``"ports": {}``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.references import Reference, pointer

DIRECTIONS = ("ingress", "egress")
VERSIONS = ("IPv4", "IPv6")
PROTOCOLS = ("tcp", "udp", "tcp+udp", "icmp")
PORT_PROTOCOLS = ("tcp", "udp", "tcp+udp")
MAX_PEERS = 32
MAX_PORTS = 100


@dataclass(frozen=True, order=True)
class PortRange:
    first: int
    last: int

    def hetzner(self) -> str:
        """Hetzner's port form: ``80`` or ``80-85``."""
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True)
class RuleSpec:
    direction: str  # ingress | egress
    version: str | None = None  # IPv4 | IPv6 | None (both)
    protocol: str | None = None  # tcp | udp | tcp+udp | icmp | None (every protocol)
    #: the ports matched (merged ranges, ascending); empty: every port
    ports: tuple[PortRange, ...] = ()
    #: CIDR peers (normalised networks); empty together with ``groups``: every peer
    cidrs: tuple[str, ...] = ()
    #: security groups whose members are the peers
    groups: tuple[str, ...] = ()

    @property
    def any_peer(self) -> bool:
        return not self.cidrs and not self.groups

    @classmethod
    def parse(cls, spec: Any, field: str = "spec", *, tenant: str | None = None,
              workspace: str | None = None) -> RuleSpec:
        """``field`` names the rule in messages: ``spec`` for a rule resource, ``spec.rules.2`` inline."""
        if not isinstance(spec, Mapping):
            raise PreconditionFailed(f"{field} must be an object.", pointer=pointer(field))
        direction = spec.get("direction")
        if direction not in DIRECTIONS:
            raise PreconditionFailed(f"{field}.direction must be ingress or egress, not {direction!r}.",
                                     pointer=pointer(f"{field}.direction"))
        version = spec.get("version")
        if version is not None and version not in VERSIONS:
            raise PreconditionFailed(f"{field}.version must be IPv4 or IPv6, not {version!r}.",
                                     pointer=pointer(f"{field}.version"))
        protocol = spec.get("protocol")
        if protocol is not None and protocol not in PROTOCOLS:
            raise PreconditionFailed(f"{field}.protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}.",
                                     pointer=pointer(f"{field}.protocol"))
        if spec.get("icmp") is not None:
            raise PreconditionFailed(
                f"{field}.icmp: Hetzner firewalls match every ICMP message and cannot narrow a rule to one ICMP "
                "type or code; leave icmp out (with protocol icmp) to allow all ICMP.",
                pointer=pointer(f"{field}.icmp"))
        ports = _ports(spec.get("ports"), protocol, f"{field}.ports")
        cidrs, groups = _peers(spec.get("sourceRef"), version, f"{field}.sourceRef", tenant, workspace)
        return cls(direction=str(direction), version=version, protocol=protocol, ports=ports, cidrs=cidrs,
                   groups=groups)


def _port(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise PreconditionFailed(f"{field} must be a port number from 1 to 65535, not {value!r}.",
                                 pointer=pointer(field))
    return value


def _ports(ports: Any, protocol: Any, field: str) -> tuple[PortRange, ...]:
    if ports is None:
        return ()
    if not isinstance(ports, Mapping):
        raise PreconditionFailed(f"{field} must be an object.", pointer=pointer(field))
    if protocol not in PORT_PROTOCOLS:
        raise PreconditionFailed(f"{field} needs protocol tcp, udp or tcp+udp (ports match TCP and UDP only).",
                                 pointer=pointer(field))
    first = _port(ports["from"], f"{field}.from") if ports.get("from") is not None else None
    last = _port(ports["to"], f"{field}.to") if ports.get("to") is not None else None
    listed = ports.get("list") or []
    if not isinstance(listed, list) or len(listed) > MAX_PORTS:
        raise PreconditionFailed(f"{field}.list must be a list of at most {MAX_PORTS} ports.",
                                 pointer=pointer(f"{field}.list"))
    ranges = [PortRange(p, p) for p in (_port(v, f"{field}.list.{i}") for i, v in enumerate(listed))]
    if first is not None or last is not None:
        low, high = first if first is not None else last, last if last is not None else first
        assert low is not None and high is not None
        if low > high:
            raise PreconditionFailed(f"{field}: from ({low}) is above to ({high}).", pointer=pointer(field))
        ranges.append(PortRange(low, high))
    if not ranges:
        raise PreconditionFailed(f"{field} names no port: give from (and to) or list, or leave ports out to "
                                 "match every port.", pointer=pointer(field))
    return merge_ranges(ranges)


def merge_ranges(ranges: list[PortRange]) -> tuple[PortRange, ...]:
    """Overlapping and adjacent ranges as one, ascending."""
    merged: list[PortRange] = []
    for item in sorted(ranges):
        if merged and item.first <= merged[-1].last + 1:
            merged[-1] = PortRange(merged[-1].first, max(merged[-1].last, item.last))
        else:
            merged.append(item)
    return tuple(merged)


def _peers(refs: Any, version: Any, field: str, tenant: str | None,
           workspace: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if refs is None:
        return (), ()
    if not isinstance(refs, list) or len(refs) > MAX_PEERS:
        raise PreconditionFailed(f"{field} must be a list of at most {MAX_PEERS} references.", pointer=pointer(field))
    cidrs: list[str] = []
    groups: list[str] = []
    for index, ref in enumerate(refs):
        where = f"{field}.{index}"
        text = ref.get("resource") if isinstance(ref, Mapping) else None
        network = _network(text)
        if network is not None:
            if version is not None and f"IPv{network.version}" != version:
                raise PreconditionFailed(f"{where}: {text!r} is not an {version} block, as the rule's version says.",
                                         pointer=pointer(where))
            if str(network) not in cidrs:
                cidrs.append(str(network))
            continue
        reference = Reference.parse(ref, where)
        if reference.collection != "security-groups":
            raise PreconditionFailed(
                f"{where}: peers may be CIDR blocks, addresses or security groups; a Hetzner firewall cannot "
                f"follow {reference.collection}.", pointer=pointer(where))
        if tenant is not None:
            reference.expect("security-groups", where, tenant=tenant, workspace=workspace)
        if reference.name not in groups:
            groups.append(reference.name)
    return tuple(cidrs), tuple(groups)


def _network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR block or an address (a /32 or /128); host bits are cleared (``10.0.0.5/24`` → ``10.0.0.0/24``)."""
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
