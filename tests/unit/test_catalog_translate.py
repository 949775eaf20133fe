"""Catalog translators: tables of Hetzner objects in, SECA bodies out. No I/O."""

from secapi_hetzner.hetzner import HImage, HLocation, HServerType, HTypeLocation
from secapi_hetzner.resources.catalog import translate

LOCATIONS = [
    HLocation(3, "hel1", "Helsinki", "FI", "Helsinki", "eu-central"),
    HLocation(1, "fsn1", "Falkenstein", "DE", "Falkenstein", "eu-central"),
    HLocation(2, "nbg1", "Nuremberg", "DE", "Nuremberg", "eu-central"),
    HLocation(4, "ash", "Ashburn", "US", "Ashburn, VA", "us-east"),
    HLocation(6, "sin", "Singapore", "SG", "Singapore", "ap-southeast"),
]


def server_type(name: str, *, arch: str = "x86", locations: tuple[HTypeLocation, ...] = (),
                memory: float = 4.0, deprecated: bool = False) -> HServerType:
    return HServerType(1, name, name.upper(), "shared", 2, memory, 40, "local", "shared", arch, deprecated, locations)


def test_regions_are_network_zones_with_default_first() -> None:
    views = translate.regions_from_locations(LOCATIONS, default_region="us-east")
    assert [v.name for v in views] == ["us-east", "ap-southeast", "eu-central"]
    assert views[2].zones == ("fsn1", "nbg1", "hel1")  # ordered by Hetzner id


def test_region_zones_are_ordered_by_hetzner_id() -> None:
    assert translate.region_zones(LOCATIONS, "eu-central") == ("fsn1", "nbg1", "hel1")
    assert translate.region_zones(LOCATIONS, "us-east") == ("ash",)
    assert translate.region_zones(LOCATIONS, "mars-north") == ()


def test_offered_zones() -> None:
    st = server_type("cx23", locations=(HTypeLocation("fsn1", True, False), HTypeLocation("nbg1", False, False),
                                        HTypeLocation("hel1", True, True)))
    assert translate.offered_zones(st, ("fsn1", "nbg1", "hel1")) == ("fsn1",)
    assert translate.offered_zones(st, ("ash",)) == ()
    retired = server_type("cx23", deprecated=True, locations=(HTypeLocation("fsn1", True, False),))
    assert translate.offered_zones(retired, ("fsn1",)) == ()
    unnamable = server_type("CX_23", locations=(HTypeLocation("fsn1", True, False),))
    assert translate.offered_zones(unnamable, ("fsn1",)) == ()
    assert translate.compute_sku_spec_from_server_type(unnamable, ("fsn1",)) is None


def test_compute_sku_only_where_available() -> None:
    cax = server_type("cax11", arch="arm", locations=(HTypeLocation("fsn1", True, False),
                                                      HTypeLocation("ash", False, False)))
    assert translate.compute_sku_spec_from_server_type(cax, ("ash",)) is None
    body = translate.compute_sku_spec_from_server_type(cax, ("fsn1", "nbg1"))
    assert body is not None
    assert body["spec"] == {"vCPU": 2, "ram": 4}
    assert body["labels"]["architecture"] == "arm64"
    assert body["labels"]["zones"] == "fsn1"
    assert body["labels"]["family"] == "cax"


def test_deprecated_location_is_not_offered() -> None:
    st = server_type("cx22", locations=(HTypeLocation("fsn1", True, True),))
    assert translate.compute_sku_spec_from_server_type(st, ("fsn1",)) is None


def test_fractional_ram_rounds_up_to_the_spec_integer() -> None:
    st = server_type("cx11", memory=0.5, locations=(HTypeLocation("fsn1", True, False),))
    body = translate.compute_sku_spec_from_server_type(st, ("fsn1",))
    assert body is not None and body["spec"]["ram"] == 1 and body["labels"]["ram-gb"] == "0.5"


def test_storage_skus_volume_and_local_disk() -> None:
    skus = translate.storage_sku_specs([server_type("cx23"), server_type("cpx11")])
    assert skus[translate.VOLUME_SKU]["spec"] == {"iops": 5000, "type": "remote-durable", "minVolumeSize": 10}
    assert skus[translate.LOCAL_DISK_SKU]["spec"]["type"] == "local-durable"
    assert skus[translate.LOCAL_DISK_SKU]["spec"]["minVolumeSize"] == 10
    assert skus[translate.LOCAL_DISK_SKU]["labels"]["max-gb"] == "40"
    assert all(len(v) <= 63 for body in skus.values() for v in body["labels"].values())


def test_system_images_get_unique_names_per_architecture() -> None:
    x86 = HImage(1, "ubuntu-24.04", "system", "Ubuntu", "x86", "ubuntu", "24.04", 5.0, None, "available", False)
    arm = HImage(2, "ubuntu-24.04", "system", "Ubuntu", "arm", "ubuntu", "24.04", 5.0, 1.5, "available", False)
    assert translate.image_name(x86) == "ubuntu-24.04"
    assert translate.image_name(arm) == "ubuntu-24.04-arm64"
    body = translate.image_from_system_image(arm)
    assert body["spec"]["cpuArchitecture"] == "arm64"
    assert body["status"]["sizeMB"] == 1536
    assert body["spec"]["blockStorageRef"] == {"resource": "hetzner-system-images/ubuntu-24.04"}
