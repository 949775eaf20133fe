"""The network kind's typed model: spec, internal record. Pure."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.network import translate
from secapi_hetzner.resources.references import Reference


@dataclass(frozen=True)
class NetworkSpec:
    #: the Hetzner ``ip_range`` (an all-zero address already replaced by the block chosen for it)
    ip_range: ipaddress.IPv4Network
    #: the requested IPv6 block: stored, not realised (Hetzner has no private IPv6)
    ipv6: ipaddress.IPv6Network | None
    sku: Reference

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> NetworkSpec:
        if spec.get("additionalCidrs"):
            raise PreconditionFailed("spec.additionalCidrs: a Hetzner network has exactly one address range; "
                                     "give one larger block in spec.cidr instead.", pointer="/spec/additionalCidrs")
        cidr = spec.get("cidr")
        return cls(ip_range=translate.network_range(cidr), ipv6=translate.ipv6_block(cidr),
                   sku=Reference.parse(spec.get("skuRef"), "spec.skuRef"))


@dataclass(frozen=True)
class NetworkRecord(InternalRecord):
    """``network_id``: the Hetzner network; ``create_attempts``: creates sent (0: nothing to look for)."""

    network_id: int | None = None
    create_attempts: int | None = None
