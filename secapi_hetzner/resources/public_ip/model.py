"""The public-IP kind's typed model: spec, internal record, and the SECA ↔ Hetzner family. Pure."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.records import InternalRecord

#: SECA ``spec.version`` → Hetzner primary IP ``type``
FAMILIES = {"IPv4": "ipv4", "IPv6": "ipv6"}


@dataclass(frozen=True)
class PublicIpSpec:
    version: str  # IPv4 | IPv6
    #: the address asked for (BYOIP): echoed in the spec, never honoured (Hetzner allocates addresses)
    address: str | None = None

    @property
    def family(self) -> str:
        return FAMILIES[self.version]

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> PublicIpSpec:
        version = spec.get("version")
        if version not in FAMILIES:
            raise PreconditionFailed(f"spec.version must be IPv4 or IPv6, not {version!r}.", pointer="/spec/version")
        address = spec.get("address")
        if address is not None:
            try:
                parsed = ipaddress.ip_address(str(address))
            except ValueError as exc:
                raise PreconditionFailed(f"spec.address: {address!r} is not an IP address.",
                                         pointer="/spec/address") from exc
            if f"IPv{parsed.version}" != version:
                raise PreconditionFailed(f"spec.address {address!r} is not an {version} address.",
                                         pointer="/spec/address")
        return cls(version=str(version), address=str(address) if address is not None else None)


@dataclass(frozen=True)
class PublicIpRecord(InternalRecord):
    """``primary_ip_id``: the Hetzner primary IP; ``location``: where it lives; ``ip``: its address (IPv4)
    or /64 network (IPv6); ``create_attempts``: creates sent so far (0: nothing to look for)."""

    primary_ip_id: int | None = None
    location: str | None = None
    ip: str | None = None
    create_attempts: int | None = None
    #: the address of a primary IP deleted outside the service that this one replaces (said once)
    replaced: str | None = None
    #: where an instance carrying a NIC that names it needs it (a primary IP serves servers of its location)
    wanted_location: str | None = None
    #: the address and location it had before it was moved to ``wanted_location`` (said once)
    moved_from: str | None = None
