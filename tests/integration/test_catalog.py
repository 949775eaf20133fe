"""The catalog over real HTTP: service → real hcloud client → simulator, against a real PostgreSQL.

Runs twice: with the project's own spec/ and with the upstream bundles dropped in instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hcloud import Client

from tests.conftest import OWN_SPEC, UPSTREAM_SPEC_PARAM, Service

REGION = "/providers/seca.region/v1/regions"


@pytest.fixture(scope="module", params=[pytest.param(OWN_SPEC, id="own-spec"), UPSTREAM_SPEC_PARAM])
def spec_dir(request: pytest.FixtureRequest) -> Path:
    return Path(request.param)


def hetzner(service: Service) -> Client:
    return Client(token="catalog-check", api_endpoint=service.simulator.url, timeout=5)


def all_items(service: Service, path: str, **params: object) -> list[dict]:
    items, token = [], None
    while True:
        query = dict(params, **({"skipToken": token} if token else {}))
        response = service.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        token = body["metadata"].get("skipToken")
        if not token:
            return items


def test_regions_are_network_zones_default_first(service: Service) -> None:
    body = service.get(REGION).json()
    names = [item["metadata"]["name"] for item in body["items"]]
    assert names[0] == "eu-central"
    assert set(names) == {loc.network_zone for loc in hetzner(service).locations.get_all()}
    assert body["metadata"] == {"provider": "seca.region/v1", "resource": "regions", "verb": "GET"}
    eu = body["items"][0]
    expected_zones = {loc.name for loc in hetzner(service).locations.get_all() if loc.network_zone == "eu-central"}
    assert set(eu["spec"]["availableZones"]) == expected_zones
    meta = eu["metadata"]
    assert meta["kind"] == "region" and meta["ref"] == "seca.region/v1/regions/eu-central"
    assert meta["resource"] == "regions/eu-central" and meta["resourceVersion"] >= 1


def test_region_get_and_providers_lead_to_working_regional_endpoints(service: Service) -> None:
    region = service.get(f"{REGION}/us-east").json()
    assert region["metadata"]["verb"] == "GET"
    compute = next(p for p in region["spec"]["providers"] if p["name"] == "seca.compute")
    assert compute["version"] == "v1"
    assert compute["url"].endswith("/regions/us-east/providers/seca.compute")
    path = compute["url"].split("127.0.0.1", 1)[1].split("/", 1)[1]
    skus = service.get(f"/{path}/v1/tenants/{service.tenant}/skus").json()["items"]
    assert skus and all(sku["metadata"]["region"] == "us-east" for sku in skus)


def test_unknown_region_is_a_spec_404(service: Service) -> None:
    response = service.get(f"{REGION}/mars-north")
    assert response.status_code == 404
    assert response.json()["type"] == "http://secapi.cloud/errors/resource-not-found"
    prefixed = service.get(f"/regions/mars-north/providers/seca.compute/v1/tenants/{service.tenant}/skus")
    assert prefixed.status_code == 404


def test_compute_skus_follow_per_location_availability(service: Service) -> None:
    client = hetzner(service)
    for region in ("eu-central", "ap-southeast"):
        zones = {loc.name for loc in client.locations.get_all() if loc.network_zone == region}
        expected = {
            st.name for st in client.server_types.get_all()
            if any(
                entry.location.name in zones and entry.available and entry.deprecation is None
                for entry in st.locations)
        }
        items = all_items(service, f"/regions/{region}/providers/seca.compute/v1/tenants/{service.tenant}/skus")
        # Hetzner's own types, and the SECA standard tiers they realise (tests/integration/test_catalog_tiers.py)
        assert {item["metadata"]["name"] for item in items if item["labels"].get("provider") != "seca"} == expected
        assert all(item["labels"]["hetzner-type"] in expected for item in items
                   if item["metadata"]["name"].startswith("seca."))
    listed = all_items(service, f"/providers/seca.compute/v1/tenants/{service.tenant}/skus")
    eu = {item["metadata"]["name"]: item for item in listed}
    st = client.server_types.get_by_name(next(iter(eu)))
    assert st is not None
    assert eu[st.name]["spec"]["vCPU"] == st.cores
    assert eu[st.name]["metadata"]["kind"] == "instance-sku"
    assert eu[st.name]["metadata"]["ref"] == f"seca.compute/v1/tenants/{service.tenant}/skus/{st.name}"


def test_sku_label_filters(service: Service) -> None:
    path = f"/providers/seca.compute/v1/tenants/{service.tenant}/skus"
    arm = all_items(service, path, labels="architecture=arm64")
    assert arm and all(item["labels"]["architecture"] == "arm64" for item in arm)
    big = all_items(service, path, labels="vcpu>=8,architecture!=arm64")
    assert big and all(item["spec"]["vCPU"] >= 8 and item["labels"]["architecture"] == "amd64" for item in big)
    assert all_items(service, path, labels="*fam*=c*x") != []


def test_pagination_is_complete_and_has_no_duplicates(service: Service) -> None:
    path = f"/providers/seca.compute/v1/tenants/{service.tenant}/skus"
    everything = [i["metadata"]["name"] for i in all_items(service, path)]
    paged = [i["metadata"]["name"] for i in all_items(service, path, limit=2)]
    assert paged == everything and len(set(paged)) == len(paged) > 2


def test_storage_and_network_skus(service: Service) -> None:
    storage = all_items(service, f"/providers/seca.storage/v1/tenants/{service.tenant}/skus")
    types = {item["metadata"]["name"]: item["spec"]["type"] for item in storage}
    assert types == {"hetzner-volume": "remote-durable", "local-nvme": "local-durable"}
    one = service.get(f"/providers/seca.storage/v1/tenants/{service.tenant}/skus/hetzner-volume").json()
    assert one["spec"]["minVolumeSize"] == 10 and one["metadata"]["kind"] == "storage-sku"
    network = all_items(service, f"/providers/seca.network/v1/tenants/{service.tenant}/skus")
    assert [item["metadata"]["kind"] for item in network] == ["network-sku"]


def test_system_images(service: Service) -> None:
    images = all_items(service, f"/providers/seca.storage/v1/tenants/{service.tenant}/images")
    by_name = {item["metadata"]["name"]: item for item in images}
    system = [img for img in hetzner(service).images.get_all(type=["system"]) if img.status == "available"]
    arm = [img for img in system if img.architecture == "arm" and img.deprecation is None]
    assert arm, "the simulator should offer arm images"
    assert by_name[f"{arm[0].name}-arm64"]["spec"]["cpuArchitecture"] == "arm64"
    x86 = next(img for img in system if img.architecture == "x86" and img.deprecation is None)
    image = service.get(f"/providers/seca.storage/v1/tenants/{service.tenant}/images/{x86.name}").json()
    assert image["status"]["state"] == "active" and image["metadata"]["kind"] == "image"
    assert image["labels"]["hetzner-image-id"] == str(x86.id)


def test_unknown_sku_is_404(service: Service) -> None:
    response = service.get(f"/providers/seca.compute/v1/tenants/{service.tenant}/skus/no-such-type")
    assert response.status_code == 404
    assert response.json()["detail"] == "Compute SKU 'no-such-type' does not exist."


def test_deleted_only_lists_nothing_for_the_catalog(service: Service) -> None:
    response = service.get(f"/providers/seca.compute/v1/tenants/{service.tenant}/skus",
                           headers={"Accept": "application/json; deleted=only"})
    assert response.status_code == 200 and response.json()["items"] == []


def test_catalog_answers_are_rendered_once_per_catalog_snapshot(service: Service) -> None:
    """Catalog pages are rendered (encoded, tagged) once per snapshot and then served as the same bytes; a
    new snapshot renders them again."""
    from secapi_hetzner.app.etags import tag_of
    from secapi_hetzner.app.services import current

    answers = current().answers
    url = f"/providers/seca.compute/v1/tenants/{service.tenant}/skus"
    first = service.get(url)
    rendered = answers.renders
    again = [service.get(url) for _ in range(3)]
    assert answers.renders == rendered  # served from the kept bytes
    assert all(r.content == first.content and r.headers["etag"] == first.headers["etag"] for r in again)
    assert first.headers["etag"] == tag_of(first.content)  # the tag is the hash of exactly these bytes
    assert service.get(f"{url}?labels=probe.rendered%3Donce").json()["items"] == []  # no SKU has this label
    assert answers.renders == rendered + 1  # another page is another answer
    current().catalog.cache.refresh()  # a new snapshot from Hetzner
    assert service.get(url).json() == first.json()
    assert answers.renders == rendered + 2
