"""The NIC kind's typed model: spec (parsed once at admission), internal record. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.references import Reference


def _refs(spec: Mapping[str, Any], field: str) -> tuple[Reference, ...]:
    items = spec.get(field) or []
    if not isinstance(items, list):
        raise PreconditionFailed(f"spec.{field} must be a list.", pointer=f"/spec/{field}")
    return tuple(Reference.parse(item, f"spec.{field}.{index}") for index, item in enumerate(items))


@dataclass(frozen=True)
class NicSpec:
    subnet: Reference
    addresses: tuple[str, ...]
    public_ips: tuple[Reference, ...] = ()
    security_groups: tuple[Reference, ...] = ()
    sku: Reference | None = None

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> NicSpec:
        addresses = spec.get("addresses") or []
        if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
            raise PreconditionFailed("spec.addresses must be a list of addresses.", pointer="/spec/addresses")
        return cls(subnet=Reference.parse(spec.get("subnetRef"), "spec.subnetRef"), addresses=tuple(addresses),
                   public_ips=_refs(spec, "publicIpRefs"), security_groups=_refs(spec, "securityGroupRefs"),
                   sku=Reference.parse_optional(spec.get("skuRef"), "spec.skuRef"))

    @property
    def network(self) -> str:
        """The network of the subnet (a subnet reference names it: ``networks/<n>/subnets/<s>``)."""
        return self.subnet.network or ""

    @property
    def public_ip_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ref.name for ref in self.public_ips))

    @property
    def security_group_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ref.name for ref in self.security_groups))


@dataclass(frozen=True)
class NicRecord(InternalRecord):
    """Where the NIC is realised, as its instance last found it on Hetzner: ``instance`` carries it on
    ``server_id``, attached to ``network_id`` with address ``ip``, ``alias_ips`` and ``mac``;
    ``public_ips``: the public IPs (names) assigned to that server through this NIC."""

    instance: str | None = None
    server_id: int | None = None
    network_id: int | None = None
    ip: str | None = None
    alias_ips: tuple[str, ...] | None = None
    mac: str | None = None
    public_ips: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("alias_ips", "public_ips"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
