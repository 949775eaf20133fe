"""The capability matrix: every operation of every spec document, and whether this service serves it.

Generated from the code: an operation is ``supported`` when a handler is bound to it (see
:mod:`secapi_hetzner.app.resolver`); otherwise its status and reason come from :data:`NOT_SERVED`.
``/.wellknown/secapi``, the README and docs/capabilities.md all show this one table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from secapi_hetzner.app.resolver import find_handler
from secapi_hetzner.scope import APIS, Api

METHODS = ("get", "put", "post", "delete", "patch")
SUPPORTED, PARTIAL, PLANNED, UNSUPPORTED = "supported", "partial", "planned", "unsupported"

#: Why an API (or one operation, keyed ``slug:operationId``) is not served.
NOT_SERVED: dict[str, tuple[str, str]] = {
    "kubernetes": (UNSUPPORTED, "Hetzner Cloud offers no managed Kubernetes service."),
    "activity-log": (UNSUPPORTED, "Hetzner Cloud exposes no per-request activity log through its API."),
    "nat-gateway": (UNSUPPORTED, "Hetzner Cloud has no managed NAT gateway."),
    "object-storage": (UNSUPPORTED, "Hetzner Object Storage credentials cannot be managed through the "
                                    "Hetzner Cloud API."),
    "load-balancer": (PLANNED, "Hetzner Load Balancers will back this API; not built yet."),
}

#: What a client should know of a served operation, keyed ``slug:operationId`` (docs/compatibility.md has more).
SUPPORTED_NOTES: dict[str, str] = {
    "compute:listSkus": "Hetzner server types, plus the standard tiers seca.d2xs … seca.s2xl, each realised by "
                        "the smallest qualifying type of the region (labels tier, Tier, hetzner-type).",
    "compute:createOrUpdateInstance": "A zone change moves the instance to a new server made from a snapshot of "
                                      "its disk (new id and public IPs; 412 with a placed data volume). An "
                                      "instance keeps the type its tier gave it.",
    "storage:listSkus": "hetzner-volume and local-nvme; no RD/LD/LE tiers (Hetzner guarantees no IOPS). "
                        "hetzner-volume as a boot volume becomes the server's local disk.",
    "network:listSkus": "No N1K/N5K/N10K tiers: Hetzner guarantees no bandwidth.",
    "network:createOrUpdatePublicIp": "A Hetzner primary IP, auto_delete off, in the location of the instance that "
                                      "binds it through a NIC (else the region's first; moved, with a new address, "
                                      "when an instance elsewhere binds it while it is free). "
                                      "Hetzner allocates every address: a requested spec.address is echoed, "
                                      "status.ipAddress is the real one (an IPv6 public IP is a /64).",
    "network:createOrUpdateSecurityGroup": "A Hetzner firewall (it filters servers' public interfaces only, never "
                                           "private networks); inline rules and ruleRefs merged; at most 50 Hetzner "
                                           "rules / 500 effective rules (412). Egress stays open while the group "
                                           "has no egress rule (Hetzner's default). Applied to the servers of the "
                                           "instances and NICs that reference it (none on private-only servers); "
                                           "group peers are its members' public addresses, kept current.",
    "network:createOrUpdateSecurityGroupRule": "A logical rule (no Hetzner object); groups referencing it re-set "
                                               "their firewalls. No ICMP type/code matching, peers only CIDRs, "
                                               "addresses and security groups (412 otherwise).",
    "network:createOrUpdateNetwork": "A Hetzner network: cidr.ipv4 is its ip_range (RFC 1918, /24 or larger, fixed); "
                                     "one block (no additionalCidrs); cidr.ipv6 is stored, not realised (no private "
                                     "IPv6 on Hetzner); skuRef is recorded only.",
    "network:createOrUpdateSubnet": "A Hetzner cloud subnet of the region's network zone: it spans every zone of the "
                                    "region (zone is recorded); the same block twice is one shared Hetzner subnet; "
                                    "cidr is fixed.",
    "network:createOrUpdateRoute-Table": "Routes of all tables of a network are the Hetzner network's routes (one "
                                         "destination, one target per network); IPv4 only; an instance target is "
                                         "programmed once it has an address in the network (pending until then).",
    "network:createOrUpdateInternetGateway": "Logical (Hetzner has none): instances whose NIC's subnet routes "
                                             "0.0.0.0/0 to it are created with public interfaces, the others "
                                             "private-only; egressOnly is recorded (a Hetzner public interface "
                                             "always accepts inbound traffic: filter it with a security group).",
    "network:createOrUpdateNic": "A server's attachment to the subnet's Hetzner network, made by the instance "
                                 "carrying the NIC: addresses[0] is its IP (0.0.0.0: Hetzner picks), the others "
                                 "alias IPs; IPv4 only; public IPs become the server's primary IPs (one per family); "
                                 "security groups its firewalls. A NIC no instance carries is logical (status without "
                                 "addresses). skuRef is recorded only.",
}

#: Served operations whose effect is not complete yet, keyed ``slug:operationId``: ``partial`` in the matrix.
PARTIAL_NOTES: dict[str, str] = {
    "authorization:createOrUpdateRole": "Enforced on every request, for opaque tokens and JWTs (docs/compatibility"
                                        ".md, Access control); per-action verbs cannot be sent (v1.7 caps verbs at "
                                        "7 characters: use post).",
}


@dataclass(frozen=True)
class Capability:
    api: str
    version: str
    operation_id: str
    method: str
    path: str
    status: str
    note: str


def not_served(api: Api, operation_id: str) -> tuple[str, str]:
    return NOT_SERVED.get(f"{api.slug}:{operation_id}") or NOT_SERVED.get(api.slug) or (
        PLANNED, "Not built yet.")


def reason_for(api: Api, operation_id: str) -> str:
    status, note = not_served(api, operation_id)
    return f"{status} on Hetzner: {note}" if status == UNSUPPORTED else f"{status}: {note}"


def spec_operations(document: Path) -> list[tuple[str, str, str]]:
    """``(method, path, operationId)`` for every operation of one spec document."""
    spec = yaml.safe_load(document.read_text())
    return [(method.upper(), path, op["operationId"])
            for path, item in (spec.get("paths") or {}).items()
            for method, op in item.items() if method in METHODS]


def build_matrix(spec_dir: Path) -> list[Capability]:
    rows = []
    for api in APIS:
        for method, path, operation_id in spec_operations(spec_dir / api.document):
            key = f"{api.slug}:{operation_id}"
            if find_handler(api, operation_id) is not None and key in PARTIAL_NOTES:
                status, note = PARTIAL, PARTIAL_NOTES[key]
            elif find_handler(api, operation_id) is not None:
                status, note = SUPPORTED, SUPPORTED_NOTES.get(key, "")
            else:
                status, note = not_served(api, operation_id)
            rows.append(Capability(api.provider, api.version, operation_id, method, path, status, note))
    return rows


def matrix_json(rows: list[Capability]) -> list[dict[str, Any]]:
    return [{"provider": r.api, "operationId": r.operation_id, "method": r.method, "path": r.path,
             "status": r.status, **({"note": r.note} if r.note else {})} for r in rows]


def served_providers(rows: list[Capability]) -> set[str]:
    return {row.api for row in rows if row.status in (SUPPORTED, PARTIAL)}



def wellknown_document(base_url: str, matrix: list[Capability]) -> dict[str, Any]:
    """The discovery document: the global endpoints served here, plus the capability matrix."""
    served = served_providers(matrix)
    endpoints = [{"provider": api.provider, "url": f"{base_url}{api.base_path}"}
                 for api in APIS if not api.regional and api.slug != "wellknown" and api.provider in served]
    return {"version": "v1", "endpoints": endpoints, "capabilities": matrix_json(matrix)}


def route_matcher(rows: list[Capability]) -> Callable[[str], bool]:
    """Does a path fit any served operation's template (parameters as any non-empty segment)?"""
    bases = {api.provider: api.base_path.rstrip("/") for api in APIS}
    patterns = {bases[row.api] + re.sub(r"\{[^}]+\}", "[^/]+", row.path) for row in rows}
    compiled = re.compile("|".join(f"(?:{p})" for p in sorted(patterns)), re.S)
    return lambda path: compiled.fullmatch(path) is not None


def markdown(rows: list[Capability]) -> str:
    """The matrix as the Markdown table in docs/capabilities.md (a test keeps the file in sync)."""
    lines = [
        "# Capability matrix",
        "",
        "Generated by `secapi-hetzner capabilities` from the code (the same table `/.wellknown/secapi`",
        "serves under `capabilities`). Do not edit by hand: `make docs` rewrites it and a test fails when",
        "it is out of date.",
        "",
    ]
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.status] = totals.get(row.status, 0) + 1
    lines.append("Totals: " + ", ".join(f"{count} {status}" for status, count in sorted(totals.items())) + ".")
    lines += ["", "| provider | operation | method | path | status | note |", "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.api} | `{row.operation_id}` | {row.method} | `{row.path}` | {row.status} | {row.note} |")
    return "\n".join(lines) + "\n"
