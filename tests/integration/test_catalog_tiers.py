"""SECA standard compute tiers over real HTTP: service → real hcloud client → simulator.

Runs with the project's own spec/ and with the upstream bundles (responses are validated against both).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hcloud import Client
from hcloud.server_types.client import BoundServerType

from secapi_hetzner.app.services import current
from secapi_hetzner.resources.catalog import COMPUTE_TIERS
from secapi_hetzner.simulator import RunningSimulator
from secapi_hetzner.simulator.catalog import CATALOG
from tests.conftest import OWN_SPEC, TENANT, UPSTREAM_SPEC_PARAM, Service
from tests.integration.test_catalog_costs import catalog_ttl, fresh_service, operator_calls

__all__ = ["catalog_ttl", "fresh_service"]  # fixtures used below

TIERS = {tier.sku: tier for tier in COMPUTE_TIERS}


@pytest.fixture(scope="module", params=[pytest.param(OWN_SPEC, id="own-spec"), UPSTREAM_SPEC_PARAM])
def spec_dir(request: pytest.FixtureRequest) -> Path:
    return Path(request.param)


def skus_path(region: str | None = None, tenant: str = TENANT) -> str:
    prefix = f"/regions/{region}" if region else ""
    return f"{prefix}/providers/seca.compute/v1/tenants/{tenant}/skus"


def all_items(service: Service, path: str, **params: object) -> list[dict]:
    items, token = [], None
    while True:
        response = service.get(path, params=dict(params, **({"skipToken": token} if token else {})))
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        token = body["metadata"].get("skipToken")
        if not token:
            return items


def hetzner_types(service: Service) -> dict[str, BoundServerType]:
    client = Client(token="tier-check", api_endpoint=service.simulator.url, timeout=5)
    return {st.name: st for st in client.server_types.get_all()}


def orderable_in(st: BoundServerType, zones: set[str]) -> set[str]:
    return {entry.location.name for entry in st.locations
            if entry.location.name in zones and entry.available and entry.deprecation is None}


def region_zones(service: Service, region: str) -> set[str]:
    return set(service.get(f"/providers/seca.region/v1/regions/{region}").json()["spec"]["availableZones"])


@pytest.mark.parametrize("selector", ["Tier=D2XS", "tier=D2XS", "provider=seca,Tier=D2XS"])
def test_the_conformance_selector_finds_d2xs(service: Service, selector: str) -> None:
    items = all_items(service, skus_path(), labels=selector)
    assert [item["metadata"]["name"] for item in items] == ["seca.d2xs"]
    sku = items[0]
    assert sku["labels"]["provider"] == "seca" and sku["labels"]["tier"] == sku["labels"]["Tier"] == "D2XS"
    assert sku["metadata"]["kind"] == "instance-sku" and sku["metadata"]["region"] == "eu-central"
    assert sku["metadata"]["ref"] == f"seca.compute/v1/tenants/{TENANT}/skus/seca.d2xs"
    assert sku["metadata"]["resource"] == "skus/seca.d2xs"


def test_get_a_tier_sku(service: Service) -> None:
    response = service.get(f"{skus_path()}/seca.d2xs")
    assert response.status_code == 200, response.text
    sku = response.json()
    real = hetzner_types(service)[sku["labels"]["hetzner-type"]]
    assert real.name == "ccx13"  # the smallest dedicated x86 type in eu-central
    assert sku["spec"] == {"vCPU": real.cores, "ram": int(real.memory)}  # the real type's values, not 1/1
    assert sku["metadata"]["name"] == "seca.d2xs" and sku["metadata"]["verb"] == "GET"
    assert service.get(f"{skus_path()}/seca.d3xs").status_code == 404


@pytest.mark.parametrize("region", ["eu-central", "us-east", "us-west", "ap-southeast"])
def test_every_tier_is_the_smallest_qualifying_type(service: Service, region: str) -> None:
    """Checked against Hetzner's own answer (hcloud), independently of the service's code."""
    types, zones = hetzner_types(service), region_zones(service, region)
    listed = {item["metadata"]["name"]: item for item in all_items(service, skus_path(region))}

    def qualifies(st: BoundServerType, tier_name: str) -> bool:
        tier = TIERS[f"seca.{tier_name.lower()}"]
        return (st.architecture == "x86" and st.cores >= tier.vcpu and st.memory >= tier.ram_gb
                and (st.cpu_type == "dedicated" if tier.dedicated else True) and bool(orderable_in(st, zones)))

    for sku, tier in TIERS.items():
        candidates = [st for st in types.values() if qualifies(st, tier.name)]
        if not candidates:
            assert sku not in listed
            continue
        item = listed[sku]
        real = types[item["labels"]["hetzner-type"]]
        assert real in candidates
        assert item["spec"] == {"vCPU": real.cores, "ram": int(real.memory)}
        assert item["labels"]["zones"].split(".") == [z for z in ("fsn1", "nbg1", "hel1", "ash", "hil", "sin")
                                                      if z in orderable_in(real, zones)]
        assert item["labels"]["architecture"] == "amd64"
        shared = [st for st in candidates if st.cpu_type == "shared"]
        pool = shared if shared and not tier.dedicated else candidates
        assert real in pool
        assert all((real.cores, real.memory) <= (st.cores, st.memory) for st in pool), sku


def test_a_phased_out_offer_is_not_a_tier(service: Service) -> None:
    """cpx11 is being phased out in Singapore: S2XS is the next shared type there, cpx11 elsewhere."""
    sin = {item["metadata"]["name"]: item for item in all_items(service, skus_path("ap-southeast"))}
    assert "cpx11" not in sin
    assert sin["seca.s2xs"]["labels"]["hetzner-type"] == "cpx21"
    ash = service.get(f"{skus_path('us-east')}/seca.s2xs").json()
    assert ash["labels"]["hetzner-type"] == "cpx11" and ash["labels"]["zones"] == "ash"


def test_arm_types_realise_no_tier(service: Service) -> None:
    tiers = all_items(service, skus_path(), labels="provider=seca")
    assert len(tiers) == len(COMPUTE_TIERS)  # every tier is backed in eu-central by the simulator's catalog
    assert all(item["labels"]["architecture"] == "amd64" for item in tiers)
    assert all_items(service, skus_path(), labels="provider=seca,architecture=arm64") == []


def test_hetzner_types_are_listed_as_before(service: Service) -> None:
    items = all_items(service, skus_path())
    own = [item for item in items if not item["metadata"]["name"].startswith("seca.")]
    assert own and all(not {"provider", "tier", "Tier", "hetzner-type"} & set(item["labels"]) for item in own)
    names = [item["metadata"]["name"] for item in items]
    assert names == sorted(names)
    assert service.get(f"{skus_path()}/ccx13").json()["labels"]["family"] == "ccx"


@pytest.fixture
def ccx13_sold_out() -> Iterator[None]:
    """Sell ccx13 out everywhere in the simulator for one test, and put it back afterwards."""
    st = CATALOG.server_type("ccx13")
    assert st is not None
    saved = [dict(offer) for offer in st["locations"]]
    for offer in st["locations"]:
        offer["available"] = False
    try:
        yield
    finally:
        for offer, old in zip(st["locations"], saved, strict=True):
            offer.update(old)
        current().catalog.cache.refresh()


def test_a_sold_out_type_moves_the_tier_to_the_next_one(service: Service, ccx13_sold_out: None) -> None:
    current().catalog.cache.refresh()
    sku = service.get(f"{skus_path()}/seca.d2xs").json()
    assert sku["labels"]["hetzner-type"] == "ccx23" and sku["spec"] == {"vCPU": 4, "ram": 16}


def test_warm_tier_reads_cost_zero_hetzner_calls(fresh_service: httpx.Client, simulator: RunningSimulator) -> None:
    assert fresh_service.get(skus_path()).status_code == 200
    cold = operator_calls(simulator)
    for _ in range(5):
        for path, params in ((skus_path(), {"labels": "Tier=D2XS"}), (skus_path(), {"labels": "tier=D2XS"}),
                             (f"{skus_path()}/seca.d2xs", {}), (skus_path("ap-southeast"), {}),
                             (f"{skus_path('us-west')}/seca.s2xl", {})):
            assert fresh_service.get(path, params=params).status_code == 200
    assert operator_calls(simulator) == cold


def test_no_storage_or_network_tier(service: Service) -> None:
    """Hetzner publishes no IOPS or bandwidth guarantee: no RD/LD/LE or N tier (docs/compatibility.md)."""
    for api in ("seca.storage", "seca.network"):
        items = all_items(service, f"/providers/{api}/v1/tenants/{TENANT}/skus")
        assert items and all("tier" not in item["labels"] and "Tier" not in item["labels"] for item in items)
        assert all(not item["metadata"]["name"].startswith("seca.") for item in items)
        assert service.get(f"/providers/{api}/v1/tenants/{TENANT}/skus/seca.rd100").status_code == 404


def test_an_instance_keeps_its_type_when_its_tier_moves_on(service: Service) -> None:
    """An instance on seca.d2xs got ccx13. When ccx13 sells out, the tier is realised by ccx23 for new
    instances; the existing one keeps its ccx13 through an update (no type change on Hetzner) and says so."""
    ws = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/ws-tiers"
    storage = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/ws-tiers/block-storages"
    compute = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/ws-tiers/instances"
    local = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}
    body = {"spec": {"skuRef": {"resource": "skus/seca.d2xs"}, "zone": "fsn1",
                     "bootVolume": {"deviceRef": {"resource": "block-storages/tier-boot"}}}}
    assert service.put(ws, {"spec": {}}).status_code in (200, 201)
    assert service.put(f"{storage}/tier-boot", {"spec": {"sizeGB": 20, "skuRef": local}}).status_code == 201
    assert service.put(f"{compute}/tier-vm", body).status_code == 201
    service.drain()
    servers = [s for p in service.simulator.state.dump()["projects"].values() for s in p.get("servers", [])
               if s["name"].startswith("tier-vm")]
    assert [s["server_type"]["name"] if isinstance(s["server_type"], dict) else s["server_type"]
            for s in servers] == ["ccx13"]
    st = CATALOG.server_type("ccx13")
    assert st is not None
    saved = [dict(offer) for offer in st["locations"]]
    try:
        for offer in st["locations"]:
            offer["available"] = False
        current().catalog.cache.refresh()
        assert service.get(f"{skus_path()}/seca.d2xs").json()["labels"]["hetzner-type"] == "ccx23"
        service.simulator.state.reset_request_counts()
        assert service.put(f"{compute}/tier-vm", {**body, "labels": {"touched": "yes"}}).status_code == 200
        service.drain()
        got = service.get(f"{compute}/tier-vm").json()["status"]
        assert got["state"] == "active"
        assert got["conditions"][0]["reason"] == "TierTypeKept", got["conditions"][0]
        assert "ccx23" in got["conditions"][0]["message"] and "ccx13" in got["conditions"][0]["message"]
        counts = service.simulator.state.request_counts()["by_route"]
        assert not any("change_type" in route for route in counts), counts  # the server kept its type
    finally:
        for offer, old in zip(st["locations"], saved, strict=True):
            offer.update(old)
        current().catalog.cache.refresh()
    for path in (f"{compute}/tier-vm", f"{storage}/tier-boot"):
        assert service.delete(path).status_code == 202
        service.drain()
