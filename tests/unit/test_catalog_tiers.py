"""SECA standard compute tiers: which Hetzner server type realises which tier where. Tables in, no I/O."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secapi_hetzner.hetzner import HLocation, HServerType, HTypeLocation
from secapi_hetzner.labels import parse_label_filter
from secapi_hetzner.resources.catalog import COMPUTE_TIERS, CatalogSnapshot, ComputeTier, server_type_for_sku
from secapi_hetzner.resources.catalog.tiers import compute_tier_sku_specs, meets, realise, tier_of_sku

UPSTREAM_COMPUTE = Path(__file__).resolve().parents[3] / "shared/seca-spec/bundled/foundation.compute.v1.yaml"
EU = ("fsn1", "nbg1", "hel1")
LOCATIONS = (
    HLocation(1, "fsn1", "Falkenstein", "DE", "Falkenstein", "eu-central"),
    HLocation(2, "nbg1", "Nuremberg", "DE", "Nuremberg", "eu-central"),
    HLocation(3, "hel1", "Helsinki", "FI", "Helsinki", "eu-central"),
    HLocation(4, "ash", "Ashburn", "US", "Ashburn, VA", "us-east"),
)
SOLD_OUT: tuple[str, ...] = ()


def st(name: str, cores: int, memory: float, *, cpu: str = "shared", arch: str = "x86", disk: int = 40,
       where: tuple[str, ...] = EU, sold_out: tuple[str, ...] = SOLD_OUT, phased_out: tuple[str, ...] = (),
       deprecated: bool = False) -> HServerType:
    locations = tuple(HTypeLocation(loc, loc not in sold_out, loc in phased_out) for loc in where)
    return HServerType(sum(map(ord, name)), name, name.upper(), "test", cores, memory, disk, "local", cpu, arch,
                       deprecated, locations)


# A catalog shaped like Hetzner's: shared x86 (cx, cpx), shared arm (cax), dedicated x86 (ccx).
CX23 = st("cx23", 2, 4)
CX33 = st("cx33", 4, 8, disk=80)
CPX11 = st("cpx11", 2, 2, where=(*EU, "ash"))
CPX21 = st("cpx21", 3, 4, disk=80, where=(*EU, "ash"))
CPX51 = st("cpx51", 16, 32, disk=360, where=(*EU, "ash"))
CAX11 = st("cax11", 2, 4, arch="arm")
CAX41 = st("cax41", 16, 32, arch="arm", disk=320)
CCX13 = st("ccx13", 2, 8, cpu="dedicated", disk=80, where=(*EU, "ash"))
CCX23 = st("ccx23", 4, 16, cpu="dedicated", disk=160, where=(*EU, "ash"))
CCX53 = st("ccx53", 32, 128, cpu="dedicated", disk=600, where=(*EU, "ash"))
CATALOG = (CX23, CX33, CPX11, CPX21, CPX51, CAX11, CAX41, CCX13, CCX23, CCX53)


def tier(name: str) -> ComputeTier:
    return next(t for t in COMPUTE_TIERS if t.name == name)


def test_the_tiers_are_the_spec_table() -> None:
    """Every row of the upstream listSkus table, with the same minimums; amd64 everywhere."""
    if not UPSTREAM_COMPUTE.exists():
        pytest.skip("upstream SECA spec not on this machine")
    rows = re.findall(r"\|\s*([DS][0-9]?X?[SML]{1,2})\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\w+)\s*\|\s*min (\d+)\s*\|",
                      UPSTREAM_COMPUTE.read_text())
    assert len(rows) == 14
    assert {(t.name, t.vcpu, t.ram_gb, "amd64", t.benchmark_points) for t in COMPUTE_TIERS} == {
        (name, int(vcpu), int(ram), arch, int(points)) for name, vcpu, ram, arch, points in rows}
    assert all(t.dedicated == t.name.startswith("D") for t in COMPUTE_TIERS)


@pytest.mark.parametrize(("tier_name", "catalog", "expected"), [
    # D tiers: the smallest dedicated type, even when a shared type is smaller.
    ("D2XS", CATALOG, "ccx13"),
    ("DS", CATALOG, "ccx13"),
    ("DM", CATALOG, "ccx23"),
    ("DL", CATALOG, "ccx53"),  # no 8- or 16-core dedicated type in this catalog
    ("D2XL", CATALOG, "ccx53"),
    # S tiers: the smallest shared type (fewest vCPUs, then RAM, then disk)...
    ("S2XS", CATALOG, "cpx11"),
    ("SXS", CATALOG, "cpx11"),
    ("SS", CATALOG, "cx23"),  # cx23 and ccx13 both have 2 vCPUs; shared first; cpx11 has too little RAM
    ("SM", CATALOG, "cx33"),
    ("SL", CATALOG, "cpx51"),
    ("SXL", CATALOG, "cpx51"),  # cax41 has the size but is arm
    # ...and a dedicated type only when no shared type meets it.
    ("S2XL", CATALOG, "ccx53"),
    ("S2XS", (CCX23, CCX13, CAX11), "ccx13"),
    ("SS", (st("cpx21", 3, 4), CCX13), "cpx21"),  # shared before dedicated, even with more vCPUs
    # Equal size: the smaller disk, then the name.
    ("SS", (st("cx23", 2, 4, disk=40), st("cpx22", 2, 4, disk=80)), "cx23"),
    ("SS", (st("zz1", 2, 4), st("aa1", 2, 4)), "aa1"),
    # RAM must be met (fractional Hetzner RAM counts as it is, not rounded up).
    ("S2XS", (st("cx11", 1, 0.5), st("cx21", 1, 1)), "cx21"),
])
def test_smallest_qualifying_type(tier_name: str, catalog: tuple[HServerType, ...], expected: str) -> None:
    chosen = realise(tier(tier_name), catalog, EU)
    assert chosen is not None and chosen.name == expected


@pytest.mark.parametrize(("tier_name", "catalog", "why"), [
    ("D2XS", (CX23, CPX51, CAX41), "no dedicated type"),
    ("S2XS", (CAX11, CAX41), "arm only: the tiers say amd64"),
    ("D2XS", (st("ccx13", 2, 8, cpu="dedicated", arch="arm"),), "dedicated arm"),
    ("D2XL", (CCX13, CCX23), "no dedicated type with 32 vCPUs"),
    ("SXL", (st("cpx51", 16, 30),), "too little RAM"),
    ("D2XS", (st("ccx13", 2, 8, cpu="dedicated", deprecated=True),), "retired type"),
    ("D2XS", (st("ccx13", 2, 8, cpu="dedicated", sold_out=EU),), "sold out in every zone"),
    ("D2XS", (st("ccx13", 2, 8, cpu="dedicated", phased_out=EU),), "being phased out in every zone"),
    ("D2XS", (st("ccx13", 2, 8, cpu="dedicated", where=("ash",)),), "offered only in another region"),
    ("S2XS", (st("CX23", 2, 4),), "a name that cannot be a SECA SKU"),
    ("S2XS", (st("cx23", 2, 4, cpu=""),), "unknown vCPU kind"),
])
def test_tier_not_offered(tier_name: str, catalog: tuple[HServerType, ...], why: str) -> None:
    assert realise(tier(tier_name), catalog, EU) is None, why


def test_unavailable_or_phased_out_types_are_skipped_for_the_next_one() -> None:
    catalog = (st("ccx13", 2, 8, cpu="dedicated", sold_out=EU), st("ccx14", 2, 8, cpu="dedicated", phased_out=EU),
               st("ccx15", 2, 8, cpu="dedicated", deprecated=True), CCX23)
    chosen = realise(tier("D2XS"), catalog, EU)
    assert chosen is not None and chosen.name == "ccx23"


def test_one_available_zone_is_enough_and_is_recorded() -> None:
    partly = st("ccx13", 2, 8, cpu="dedicated", sold_out=("fsn1",), phased_out=("hel1",))
    specs = compute_tier_sku_specs((partly, CCX23), EU)
    assert specs["seca.d2xs"]["labels"]["hetzner-type"] == "ccx13"
    assert specs["seca.d2xs"]["labels"]["zones"] == "nbg1"
    assert specs["seca.dm"]["labels"]["zones"] == "fsn1.nbg1.hel1"


def test_arm_and_x86() -> None:
    assert not meets(tier("S2XS"), CAX11) and meets(tier("S2XS"), CX23)
    assert not meets(tier("D2XS"), CX23) and meets(tier("S2XS"), CCX13) and meets(tier("D2XS"), CCX13)
    assert compute_tier_sku_specs((CAX11, CAX41), EU) == {}


def test_tier_sku_body() -> None:
    specs = compute_tier_sku_specs(CATALOG, EU)
    body = specs["seca.d2xs"]
    assert body["spec"] == {"vCPU": 2, "ram": 8}  # the real type's values, not the tier's 1/1
    labels = body["labels"]
    assert labels["provider"] == "seca" and labels["tier"] == "D2XS" and labels["Tier"] == "D2XS"
    assert labels["hetzner-type"] == "ccx13" and labels["architecture"] == "amd64"
    assert labels["cpu-type"] == "dedicated" and labels["vcpu"] == "2" and labels["ram-gb"] == "8"
    assert labels["zones"] == "fsn1.nbg1.hel1"
    assert all(isinstance(v, str) and len(v) <= 63 for b in specs.values() for v in b["labels"].values())
    for selector in ("Tier=D2XS", "tier=D2XS", "provider=seca,Tier=D2XS"):
        assert [name for name, b in specs.items() if parse_label_filter(selector).matches(b["labels"])] == [
            "seca.d2xs"]


def test_every_tier_in_a_full_catalog_and_in_a_region_without_shared_types() -> None:
    assert set(compute_tier_sku_specs(CATALOG, EU)) == {t.sku for t in COMPUTE_TIERS}
    ash = compute_tier_sku_specs(CATALOG, ("ash",))
    assert ash["seca.s2xs"]["labels"]["hetzner-type"] == "cpx11"
    assert ash["seca.ss"]["labels"]["hetzner-type"] == "cpx21"  # cx23 is not offered in ash
    assert ash["seca.sm"]["labels"]["hetzner-type"] == "cpx51"
    assert ash["seca.dl"]["labels"]["hetzner-type"] == "ccx53"


def test_sku_names() -> None:
    assert [t.sku for t in COMPUTE_TIERS][:2] == ["seca.d2xs", "seca.dxs"]
    assert tier_of_sku("seca.s2xl") == tier("S2XL")
    assert tier_of_sku("seca.D2XS") is None and tier_of_sku("d2xs") is None and tier_of_sku("cx23") is None


SNAPSHOT = CatalogSnapshot(locations=LOCATIONS, server_types=CATALOG, images=())


@pytest.mark.parametrize(("region", "sku", "expected"), [
    ("eu-central", "seca.d2xs", "ccx13"),
    ("eu-central", "seca.s2xs", "cpx11"),
    ("us-east", "seca.ss", "cpx21"),
    ("eu-central", "cx23", "cx23"),  # a Hetzner type's own name
    ("eu-central", "cax11", "cax11"),
    ("us-east", "cx23", None),  # not offered in that region
    ("us-east", "cax11", None),
    ("eu-central", "seca.nope", None),
    ("eu-central", "no-such-type", None),
    ("eu-central", "SECA.D2XS", None),
    ("mars-north", "seca.d2xs", None),
    ("mars-north", "cx23", None),
])
def test_server_type_for_sku(region: str, sku: str, expected: str | None) -> None:
    found = server_type_for_sku(SNAPSHOT, region, sku)
    assert (found.name if found else None) == expected


def test_server_type_for_sku_skips_retired_and_sold_out_types() -> None:
    snapshot = CatalogSnapshot(locations=LOCATIONS, images=(), server_types=(
        st("cx23", 2, 4, deprecated=True), st("cx33", 4, 8, sold_out=EU), st("ccx13", 2, 8, cpu="dedicated",
                                                                              phased_out=EU), CCX23))
    assert server_type_for_sku(snapshot, "eu-central", "cx23") is None
    assert server_type_for_sku(snapshot, "eu-central", "cx33") is None
    assert server_type_for_sku(snapshot, "eu-central", "ccx13") is None
    found = server_type_for_sku(snapshot, "eu-central", "seca.d2xs")
    assert found is not None and found.name == "ccx23"
    assert server_type_for_sku(snapshot, "eu-central", "seca.d2xl") is None  # nothing meets it there


def test_agrees_with_the_listed_skus() -> None:
    """What server_type_for_sku resolves is exactly what the catalog lists (and says in hetzner-type)."""
    for region, zones in (("eu-central", EU), ("us-east", ("ash",))):
        for name, body in compute_tier_sku_specs(CATALOG, zones).items():
            found = server_type_for_sku(SNAPSHOT, region, name)
            assert found is not None and found.name == body["labels"]["hetzner-type"]
