"""Pure checks and mappings of network address blocks (networks, subnets, routes) to Hetzner's rules.

Hetzner networks hold one IPv4 range, RFC 1918 and /24 or larger; their subnets lie inside it without
overlapping; routes send a destination block to a gateway address inside the network. No private IPv6.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from secapi_hetzner.errors import PreconditionFailed

IPv4 = ipaddress.IPv4Network
PRIVATE_V4 = tuple(IPv4(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
PRIVATE_V6 = ipaddress.IPv6Network("fc00::/7")  # RFC 4193 unique local addresses
LARGEST_PREFIX = 24  # Hetzner: a network range is /24 or larger
#: where an all-zero address (``0.0.0.0/16``: "provider chooses") is placed
CHOSEN_BASE = IPv4("10.0.0.0/8")


def _pointer(field: str) -> str:
    return "/" + field.replace(".", "/")


def parse_v4(value: Any, field: str) -> IPv4:
    """An IPv4 block in CIDR notation with no host bits set; 412 naming ``field`` otherwise."""
    try:
        block = ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        raise PreconditionFailed(f"{field}: {value!r} is not an IPv4 block in CIDR notation.",
                                 pointer=_pointer(field)) from exc
    if not isinstance(block, IPv4):
        raise PreconditionFailed(f"{field}: {value!r} is not an IPv4 block.", pointer=_pointer(field))
    return block


def chosen(block: IPv4) -> IPv4:
    """An all-zero address lets the provider choose: the first block of that size in 10.0.0.0/8."""
    if block.network_address != ipaddress.IPv4Address(0):
        return block
    if block.prefixlen < CHOSEN_BASE.prefixlen:
        return block  # refused by network_range (not private)
    return next(CHOSEN_BASE.subnets(new_prefix=block.prefixlen))


def network_range(cidr: Mapping[str, Any] | None) -> IPv4:
    """The Hetzner ``ip_range`` of a network's ``spec.cidr``: RFC 1918 and /24 or larger, else 412."""
    value = (cidr or {}).get("ipv4")
    if not value:
        raise PreconditionFailed("spec.cidr.ipv4: a Hetzner network needs an IPv4 block (Hetzner has no private "
                                 "IPv6 networks).", pointer="/spec/cidr/ipv4")
    block = chosen(parse_v4(value, "spec.cidr.ipv4"))
    if not any(block.subnet_of(private) for private in PRIVATE_V4):
        raise PreconditionFailed(f"spec.cidr.ipv4: {value} is not a private (RFC 1918) block: Hetzner networks use "
                                 "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.", pointer="/spec/cidr/ipv4")
    if block.prefixlen > LARGEST_PREFIX:
        raise PreconditionFailed(f"spec.cidr.ipv4: {value} is smaller than a /{LARGEST_PREFIX}, the smallest "
                                 "Hetzner network.", pointer="/spec/cidr/ipv4")
    return block


def ipv6_block(cidr: Mapping[str, Any] | None) -> ipaddress.IPv6Network | None:
    """The requested IPv6 block, checked to be RFC 4193 (stored, never realised: see docs/compatibility.md)."""
    value = (cidr or {}).get("ipv6")
    if not value:
        return None
    try:
        block = ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        raise PreconditionFailed(f"spec.cidr.ipv6: {value!r} is not an IPv6 block in CIDR notation.",
                                 pointer="/spec/cidr/ipv6") from exc
    if not isinstance(block, ipaddress.IPv6Network):
        raise PreconditionFailed(f"spec.cidr.ipv6: {value!r} is not an IPv6 block.", pointer="/spec/cidr/ipv6")
    if block.network_address != ipaddress.IPv6Address(0) and not block.subnet_of(PRIVATE_V6):
        raise PreconditionFailed(f"spec.cidr.ipv6: {value} is not a unique local (RFC 4193, fc00::/7) block.",
                                 pointer="/spec/cidr/ipv6")
    return block


def subnet_range(cidr: Mapping[str, Any] | None, network: IPv4) -> IPv4:
    """A subnet's block: IPv4, inside its network (an all-zero address: the first block of that size)."""
    value = (cidr or {}).get("ipv4")
    if not value:
        raise PreconditionFailed("spec.cidr.ipv4: a Hetzner subnet needs an IPv4 block (Hetzner has no private "
                                 "IPv6 subnets).", pointer="/spec/cidr/ipv4")
    block = parse_v4(value, "spec.cidr.ipv4")
    if block.network_address == ipaddress.IPv4Address(0) and block.prefixlen >= network.prefixlen:
        block = next(network.subnets(new_prefix=block.prefixlen))
    if not block.subnet_of(network):
        raise PreconditionFailed(f"spec.cidr.ipv4: {value} is not inside the network's block {network}.",
                                 pointer="/spec/cidr/ipv4")
    return block


def overlapping(block: IPv4, siblings: Iterable[tuple[str, IPv4]]) -> str | None:
    """The first sibling (name) whose block overlaps ``block`` without being the same block.

    The same block twice is one Hetzner subnet shared by both SECA subnets (docs/compatibility.md)."""
    return next((name for name, other in siblings if other != block and other.overlaps(block)), None)
