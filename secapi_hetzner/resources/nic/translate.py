"""SECA NIC addresses ↔ a Hetzner network attachment (``ip`` and ``alias_ips``), as pure functions."""

from __future__ import annotations

import ipaddress

from secapi_hetzner.errors import PreconditionFailed

#: a NIC address that asks the provider to pick one
AUTOMATIC = ("0.0.0.0", "::")


def wanted_addresses(addresses: tuple[str, ...], subnet: ipaddress.IPv4Network,
                     network: ipaddress.IPv4Network) -> tuple[str | None, tuple[str, ...]]:
    """The attachment's ``ip`` (None: Hetzner picks a free one in the subnet) and its ``alias_ips``.

    The first address is the interface's own, the others become alias IPs. Every address is an IPv4 host
    of the subnet (Hetzner networks carry IPv4 only), not the network's gateway (its first host, which
    Hetzner keeps), and each appears once; only the first may be ``0.0.0.0`` (Hetzner picks alias IPs
    never). 412 naming the entry otherwise."""
    if not addresses:
        raise PreconditionFailed("spec.addresses needs at least one address.", pointer="/spec/addresses")
    gateway = network.network_address + 1
    ip: str | None = None
    aliases: list[str] = []
    for index, text in enumerate(addresses):
        pointer = f"/spec/addresses/{index}"
        try:
            address = ipaddress.ip_address(text)
        except ValueError as exc:
            raise PreconditionFailed(f"spec.addresses[{index}]: {text!r} is not an IP address.",
                                     pointer=pointer) from exc
        if address.version == 6:
            raise PreconditionFailed(f"spec.addresses[{index}]: {text} is an IPv6 address; Hetzner networks carry "
                                     "IPv4 only.", pointer=pointer)
        if text == AUTOMATIC[0]:
            if index:
                raise PreconditionFailed(f"spec.addresses[{index}]: only the first address may be 0.0.0.0 "
                                         "(Hetzner picks the interface's address, never an alias).", pointer=pointer)
            continue
        if address not in subnet or address in (subnet.network_address, subnet.broadcast_address):
            raise PreconditionFailed(f"spec.addresses[{index}]: {text} is not a host address of subnet {subnet}.",
                                     pointer=pointer)
        if address == gateway:
            raise PreconditionFailed(f"spec.addresses[{index}]: {text} is the gateway of network {network}, which "
                                     "Hetzner keeps.", pointer=pointer)
        canonical = str(address)
        if canonical == ip or canonical in aliases:
            raise PreconditionFailed(f"spec.addresses[{index}]: {text} is given twice.", pointer=pointer)
        if index == 0:
            ip = canonical
        else:
            aliases.append(canonical)
    return ip, tuple(aliases)


def status_addresses(ip: str | None, alias_ips: tuple[str, ...] | None) -> list[str]:
    """``status.addresses``: what Hetzner assigned, the interface's address first."""
    return [ip, *(alias_ips or ())] if ip else []
