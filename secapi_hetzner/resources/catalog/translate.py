"""Hetzner catalog objects → SECA catalog resources. Pure functions, tested without I/O.

* A SECA **region** is a Hetzner network zone (eu-central, us-east, us-west, ap-southeast); its
  zones are the zone's locations (fsn1, nbg1, hel1, ...).
* A **compute SKU** is a server type, listed in a region only where it is available in at least
  one of the region's locations; the SECA standard tiers (``seca.d2xs`` …) are in ``tiers.py``.
* **Storage and network tiers** (RD/LD/LE, N1K/N5K/N10K) are not offered: Hetzner publishes no IOPS
  or bandwidth guarantee (docs/compatibility.md, "SKU tiers").
* **Storage SKUs**: Hetzner volumes (remote-durable) and the servers' local disks (local-durable).
* **Network SKU**: Hetzner private networks have no tiers, so there is one honest SKU.
* **Images**: Hetzner system images; arm64 builds get a ``-arm64`` suffix because x86 and arm
  images share their Hetzner name while a SECA image name is unique per tenant.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.hetzner.models import HImage, HLocation, HServerType

ARCHITECTURES = {"x86": "amd64", "arm": "arm64"}
VOLUME_SKU = "hetzner-volume"
LOCAL_DISK_SKU = "local-nvme"
NETWORK_SKU = "hetzner-private-network"
VOLUME_MIN_GB = 10
#: Hetzner publishes no guaranteed IOPS; these are the documented planning figures (labelled as such).
VOLUME_IOPS = 5000
LOCAL_DISK_IOPS = 20000
NETWORK_BANDWIDTH_MBPS = 1000
NETWORK_PACKETS_PER_SECOND = 100000
#: A SECA resource name (SKU, image): lower-case words joined by ``-``, segments joined by ``.``.
NAME_PATTERN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass(frozen=True)
class RegionView:
    name: str
    zones: tuple[str, ...]


def regions_from_locations(locations: Iterable[HLocation], default_region: str) -> list[RegionView]:
    """Group locations by network zone; the default region comes first, the rest by name."""
    zones: dict[str, list[HLocation]] = {}
    for loc in locations:
        if loc.network_zone:
            zones.setdefault(loc.network_zone, []).append(loc)
    views = [RegionView(zone, tuple(loc.name for loc in sorted(locs, key=lambda item: item.id)))
             for zone, locs in zones.items()]
    return sorted(views, key=lambda view: (view.name != default_region, view.name))


def region_zones(locations: Iterable[HLocation], region: str) -> tuple[str, ...]:
    """The zones (location names) of one region, ordered by Hetzner id; empty for an unknown region."""
    return tuple(loc.name for loc in sorted(locations, key=lambda item: item.id) if loc.network_zone == region)


def offered_zones(st: HServerType, zones: Sequence[str]) -> tuple[str, ...]:
    """The zones among ``zones`` where a server type can be ordered (none when it is retired or its name
    cannot be a SECA SKU name)."""
    if st.deprecated or not NAME_PATTERN.match(st.name):
        return ()
    return tuple(zone for zone in zones if st.available_in(zone))


def sku_family(server_type: str) -> str:
    return server_type.rstrip("0123456789")


def _labels(values: dict[str, object]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items()}


def compute_sku_spec_from_server_type(st: HServerType, zones: Sequence[str]) -> dict[str, Any] | None:
    """The SECA compute SKU body for one server type in one region, or None if not offered there."""
    available = offered_zones(st, zones)
    if not available:
        return None
    return {"labels": server_type_labels(st, available), "spec": compute_sku_spec(st)}


def compute_sku_spec(st: HServerType) -> dict[str, int]:
    """``vCPU`` and ``ram`` (whole GB, rounded up: the spec wants an integer) of a server type."""
    return {"vCPU": st.cores, "ram": max(1, math.ceil(st.memory_gb))}


def server_type_labels(st: HServerType, available: Sequence[str]) -> dict[str, str]:
    """What a compute SKU's labels say about the server type behind it and where it can be ordered."""
    return _labels({
        "architecture": ARCHITECTURES.get(st.architecture, st.architecture),
        "cpu-type": st.cpu_type,
        "vcpu": st.cores,
        "ram-gb": _format_number(st.memory_gb),
        "disk-gb": st.disk_gb,
        "storage-type": st.storage_type,
        "family": sku_family(st.name),
        "zones": ".".join(available),
    })


def _format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def storage_sku_specs(server_types: Iterable[HServerType]) -> dict[str, dict[str, Any]]:
    """Volumes, and the servers' local disks. A local disk is the server type's whole disk, so any size
    up to it fits (checked when an instance boots from it); the largest disk is in the labels."""
    disks = [st.disk_gb for st in server_types if not st.deprecated and st.disk_gb > 0]
    skus = {
        VOLUME_SKU: {
            # as a boot volume it becomes the server's local disk: Hetzner boots servers from their disk only
            "labels": _labels({"hetzner-kind": "volume", "min-gb": VOLUME_MIN_GB, "max-gb": 10240,
                               "iops-guarantee": "none", "attachable": "true", "as-boot-volume": "local-disk"}),
            "spec": {"iops": VOLUME_IOPS, "type": "remote-durable", "minVolumeSize": VOLUME_MIN_GB},
        },
    }
    if disks:
        skus[LOCAL_DISK_SKU] = {
            "labels": _labels({"hetzner-kind": "server-disk", "boot-only": "true", "max-gb": max(disks),
                               "iops-guarantee": "none", "attachable": "false"}),
            "spec": {"iops": LOCAL_DISK_IOPS, "type": "local-durable", "minVolumeSize": VOLUME_MIN_GB},
        }
    return skus


def network_sku_specs() -> dict[str, dict[str, Any]]:
    return {
        NETWORK_SKU: {
            "labels": _labels({"hetzner-kind": "network", "bandwidth-guarantee": "none"}),
            "spec": {"bandwidth": NETWORK_BANDWIDTH_MBPS, "packets": NETWORK_PACKETS_PER_SECOND},
        },
    }


def image_name(img: HImage) -> str:
    return f"{img.name}-arm64" if img.architecture == "arm" else img.name


def image_from_system_image(img: HImage) -> dict[str, Any]:
    """A Hetzner system image as a read-only SECA image (labels, spec, status; no metadata)."""
    labels = _labels({
        "hetzner-kind": "system-image",
        "os-flavor": img.os_flavor,
        "os-version": img.os_version,
        "hetzner-image": img.name,
        "hetzner-image-id": img.id,
    })
    size_mb = max(1, math.ceil((img.image_size_gb or img.disk_size_gb) * 1024))
    return {
        "labels": labels,
        "spec": {
            # A system image has no SECA block storage behind it: the reference names the Hetzner image.
            "blockStorageRef": {"resource": f"hetzner-system-images/{img.name}"},
            "cpuArchitecture": ARCHITECTURES.get(img.architecture, "amd64"),
            "initializer": "cloudinit-22",
            "boot": "UEFI" if img.architecture == "arm" else "BIOS",
        },
        "status": {"sizeMB": size_mb},
    }
