"""The shared catalog as hcloud sees it: locations, server types with per-location offers, images."""

from __future__ import annotations

import hcloud
import httpx
import pytest

from secapi_hetzner.simulator import RunningSimulator


def test_locations_are_the_six_hetzner_sites(client: hcloud.Client) -> None:
    locations = {loc.name: loc for loc in client.locations.get_all()}

    assert set(locations) == {"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}
    assert locations["fsn1"].id == 1 and locations["fsn1"].country == "DE"
    assert locations["hel1"].network_zone == "eu-central"
    assert locations["ash"].network_zone == "us-east" and locations["hil"].network_zone == "us-west"
    assert locations["sin"].network_zone == "ap-southeast"
    assert client.locations.get_by_name("nbg1").city == "Nuremberg"
    assert client.locations.get_by_id(3).name == "hel1"


def test_server_types_cover_the_four_families(client: hcloud.Client) -> None:
    names = {st.name for st in client.server_types.get_all()}

    assert {"cx23", "cx33", "cx43", "cx53"} <= names
    assert {"cpx11", "cpx21", "cpx31", "cpx41", "cpx51"} <= names
    assert {"cax11", "cax21", "cax31", "cax41"} <= names
    assert {"ccx13", "ccx23", "ccx33", "ccx43", "ccx53", "ccx63"} <= names


def test_server_type_shape(client: hcloud.Client) -> None:
    cax = client.server_types.get_by_name("cax21")
    ccx = client.server_types.get_by_name("ccx13")

    assert (cax.cores, cax.memory, cax.disk, cax.architecture, cax.cpu_type) == (4, 8, 80, "arm", "shared")
    assert (ccx.cpu_type, ccx.architecture, ccx.storage_type) == ("dedicated", "x86", "local")
    fsn1 = next(p for p in cax.prices if p["location"] == "fsn1")
    assert float(fsn1["price_monthly"]["gross"]) > float(fsn1["price_monthly"]["net"]) > 0
    assert fsn1["included_traffic"] == 20 * 1024**4


def _offers(client: hcloud.Client, name: str) -> dict[str, object]:
    return {entry.location.name: entry for entry in client.server_types.get_by_name(name).locations}


def test_availability_per_location_is_realistic(client: hcloud.Client) -> None:
    assert set(_offers(client, "cax11")) == {"fsn1", "nbg1", "hel1"}
    assert set(_offers(client, "cx23")) == {"fsn1", "nbg1", "hel1"}
    assert set(_offers(client, "cpx21")) == {"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}
    assert set(_offers(client, "ccx33")) == {"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}


def test_sold_out_and_deprecated_offers(client: hcloud.Client) -> None:
    sold_out = _offers(client, "cax41")["hel1"]
    deprecated = _offers(client, "cpx11")["sin"]
    normal = _offers(client, "cpx11")["ash"]

    assert sold_out.available is False and sold_out.recommended is False  # type: ignore[attr-defined]
    assert deprecated.deprecation is not None and deprecated.recommended is False  # type: ignore[attr-defined]
    assert deprecated.deprecation.unavailable_after is not None  # type: ignore[attr-defined]
    assert normal.available is True and normal.recommended is True and normal.deprecation is None  # type: ignore[attr-defined]


def test_system_images_for_arm(client: hcloud.Client) -> None:
    images = client.images.get_all(type=["system"], architecture=["arm"])

    assert images and all(i.architecture == "arm" and i.type == "system" for i in images)
    names = {i.name for i in images}
    assert {
        "ubuntu-22.04",
        "ubuntu-24.04",
        "debian-12",
        "debian-13",
        "fedora-42",
        "rocky-9",
        "alma-9",
    } <= names


def test_image_by_name_and_architecture(client: hcloud.Client) -> None:
    x86 = client.images.get_by_name_and_architecture("ubuntu-24.04", "x86")
    arm = client.images.get_by_name_and_architecture("ubuntu-24.04", "arm")

    assert x86 is not None and arm is not None and x86.id != arm.id
    assert (x86.os_flavor, x86.os_version, x86.disk_size, x86.rapid_deploy) == ("ubuntu", "24.04", 5, True)
    assert client.images.get_by_id(arm.id).architecture == "arm"


def test_deprecated_images_only_on_request(client: hcloud.Client) -> None:
    assert client.images.get_by_name_and_architecture("ubuntu-20.04", "x86") is None
    old = client.images.get_by_name_and_architecture("ubuntu-20.04", "x86", include_deprecated=True)

    assert old is not None and old.deprecation is not None
    assert old.deprecation.unavailable_after > old.deprecation.announced


def test_images_sorted_by_name_descending(api: httpx.Client) -> None:
    names = [
        i["name"] for i in api.get("/images", params={"sort": "name:desc", "per_page": 50}).json()["images"]
    ]

    assert names == sorted(names, reverse=True)


def test_datacenters_are_gone(api: httpx.Client, client: hcloud.Client) -> None:
    response = api.get("/datacenters")

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "deprecated_api_endpoint"
    assert "announcement" in response.json()["error"]["details"]
    with pytest.warns(DeprecationWarning), pytest.raises(hcloud.APIException) as raised:
        client.datacenters.get_all()
    assert raised.value.code == "deprecated_api_endpoint"


def test_catalog_is_shared_by_all_projects(
    sim: RunningSimulator, client: hcloud.Client, other_client: hcloud.Client
) -> None:
    assert [t.id for t in client.server_types.get_all()] == [
        t.id for t in other_client.server_types.get_all()
    ]
