"""SECA standard SKU tiers, realised by Hetzner server types. Pure functions, tested without I/O.

The compute ``listSkus`` description of SECA v1.7 defines 14 tiers (vCPU, RAM in GB, architecture,
minimum benchmark points). A tier is offered in a region as the SKU ``seca.<tier in lower case>``
when a Hetzner server type meets it there; the SKU is *realised* by one server type, and its
``spec.vCPU``/``spec.ram`` are that type's real values, never the tier's minimums.

**Which server types can realise a tier** (see docs/compatibility.md, "SKU tiers"):

* every tier says ``amd64``, so only x86 types qualify (never Hetzner's arm ``cax`` family);
* the type has at least the tier's vCPUs and RAM, is not retired, and can be ordered in at least one
  location (zone) of the region;
* ``D`` tiers need **dedicated** vCPUs (Hetzner ``cpu_type=dedicated``: the ``ccx`` family). Their
  benchmark minimums grow with the vCPU count all the way (D2XL: 13000 points for 32 vCPUs) and stay
  above the ``S`` minimums from DS up (DS/SS +10 %, DM/SM +17 %, DXL/SXL +12.5 %, D2XL/S2XL +44 %):
  the performance of cores nobody else shares. Shared vCPUs never realise a ``D`` tier.
* ``S`` tiers are met by **shared** vCPUs (``cpu_type=shared``: ``cx``, ``cpx``); their minimums
  flatten at the top (S2XL: 9000 points for 32 vCPUs), which allows for the contention of a shared
  host. A dedicated vCPU does at least as well as a shared one, so when no shared type meets an
  ``S`` tier in a region (S2XL: Hetzner has no shared type with 32 vCPUs), the smallest dedicated
  type that does realises it.

**Which one**: the smallest qualifying type, shared before dedicated for ``S`` tiers; "smallest" is
fewest vCPUs, then least RAM, then least disk, then the name (so the choice is deterministic).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from secapi_hetzner.hetzner import HServerType
from secapi_hetzner.resources.catalog import translate

if TYPE_CHECKING:
    from secapi_hetzner.resources.catalog.cache import CatalogSnapshot

#: The SKU name prefix of every SECA standard tier (``seca.d2xs``), as in the spec's examples.
TIER_SKU_PREFIX = "seca."
#: Hetzner's name for the only architecture the SECA tiers name (``amd64``).
TIER_ARCHITECTURE = "x86"
SHARED = "shared"
DEDICATED = "dedicated"


@dataclass(frozen=True)
class ComputeTier:
    """One row of the spec's compute tier table: the minimums a realising server type must meet."""

    name: str  # D2XS, S2XL, ...
    vcpu: int
    ram_gb: int
    benchmark_points: int
    dedicated: bool  # D tiers: dedicated vCPUs only

    @property
    def sku(self) -> str:
        return f"{TIER_SKU_PREFIX}{self.name.lower()}"


def _tier(name: str, vcpu: int, ram_gb: int, benchmark_points: int) -> ComputeTier:
    return ComputeTier(name, vcpu, ram_gb, benchmark_points, dedicated=name.startswith("D"))


#: SECA v1.7 foundation.compute listSkus: Tier | vCPU | RAM | Architecture (all amd64) | benchmarkPoints.
COMPUTE_TIERS: tuple[ComputeTier, ...] = (
    _tier("D2XS", 1, 1, 500),
    _tier("DXS", 1, 2, 750),
    _tier("DS", 2, 4, 2200),
    _tier("DM", 4, 8, 3500),
    _tier("DL", 8, 16, 6000),
    _tier("DXL", 16, 32, 9000),
    _tier("D2XL", 32, 64, 13000),
    _tier("S2XS", 1, 1, 500),
    _tier("SXS", 1, 2, 700),
    _tier("SS", 2, 4, 2000),
    _tier("SM", 4, 8, 3000),
    _tier("SL", 8, 16, 5500),
    _tier("SXL", 16, 32, 8000),
    _tier("S2XL", 32, 64, 9000),
)
_BY_SKU = {tier.sku: tier for tier in COMPUTE_TIERS}


def tier_of_sku(sku: str) -> ComputeTier | None:
    """The standard tier a SKU name stands for (``seca.d2xs`` → D2XS), or None for any other name."""
    return _BY_SKU.get(sku)


def meets(tier: ComputeTier, st: HServerType) -> bool:
    """Whether a server type meets a tier's minimums, wherever it is offered."""
    if st.architecture != TIER_ARCHITECTURE or st.cores < tier.vcpu or st.memory_gb < tier.ram_gb:
        return False
    return st.cpu_type == DEDICATED if tier.dedicated else st.cpu_type in (SHARED, DEDICATED)


def _preference(st: HServerType) -> tuple[bool, int, float, int, str]:
    return st.cpu_type != SHARED, st.cores, st.memory_gb, st.disk_gb, st.name


def realise(tier: ComputeTier, server_types: Iterable[HServerType], zones: Sequence[str]) -> HServerType | None:
    """The server type that realises a tier in a region (given by its zones), or None if none meets it.

    The smallest type that meets the tier and can be ordered in at least one of the zones; for ``S``
    tiers a shared type before any dedicated one.
    """
    candidates = [st for st in server_types if meets(tier, st) and translate.offered_zones(st, zones)]
    return min(candidates, key=_preference, default=None)


def tier_labels(tier: ComputeTier, st: HServerType, available: Sequence[str]) -> dict[str, str]:
    """The labels of a tier SKU: those of the server type behind it, plus who defines the tier and which.

    ``Tier`` repeats ``tier`` because label keys are case-sensitive and the conformance suite selects
    ``Tier=D2XS`` while the spec's examples say ``tier: D2XS``.
    """
    return {**translate.server_type_labels(st, available), "provider": "seca", "tier": tier.name,
            "Tier": tier.name, "hetzner-type": st.name}


def compute_tier_sku_specs(server_types: Sequence[HServerType], zones: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The tier SKUs offered in a region (SKU name → labels and spec): only the tiers some type meets."""
    skus = {}
    for tier in COMPUTE_TIERS:
        st = realise(tier, server_types, zones)
        if st is not None:
            skus[tier.sku] = {"labels": tier_labels(tier, st, translate.offered_zones(st, zones)),
                              "spec": translate.compute_sku_spec(st)}
    return skus


def server_type_for_sku(snapshot: CatalogSnapshot, region: str, sku: str) -> HServerType | None:
    """The Hetzner server type a compute SKU of a region stands for, or None if the region offers no such SKU.

    ``sku`` is a SKU name as listed in the region: a standard tier (``seca.d2xs``), realised as
    :func:`realise` decides, or a server type's own name (``cx23``), if that type can be ordered in one
    of the region's zones. Whether the type can be ordered in a particular zone is the caller's check
    (``HServerType.available_in``).
    """
    zones = translate.region_zones(snapshot.locations, region)
    tier = tier_of_sku(sku)
    if tier is not None:
        return realise(tier, snapshot.server_types, zones)
    return next((st for st in snapshot.server_types if st.name == sku and translate.offered_zones(st, zones)), None)
