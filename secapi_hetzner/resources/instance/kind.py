"""The instance kind: admission (SKU in zone, zone in region, volumes, keys) and power-action checks."""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.instance.reconcile import InstanceReconciler
from secapi_hetzner.resources.instance.translate import ref_name, ssh_fingerprint
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.scope import COMPUTE
from secapi_hetzner.store.resources import Resource

POWER_ACTIONS = frozenset({"start", "stop", "restart"})


def admit(request: Admission) -> dict[str, Any]:
    spec = request.spec
    sku = request.reference("skuRef", "skus").name
    zones = request.catalog.zones(request.region)
    zone = str(spec.get("zone", ""))
    if zone not in zones:
        raise errors.PreconditionFailed(f"spec.zone: {zone!r} is not a zone of region {request.region!r} "
                                        f"({', '.join(zones)}).", pointer="/spec/zone")
    server_type = next((st for st in request.catalog.cache.get().server_types if st.name == sku), None)
    if server_type is None or not any(item.name == sku for item in
                                      request.catalog.compute_skus(request.tenant, request.region)):
        raise errors.PreconditionFailed(f"spec.skuRef: compute SKU {sku!r} does not exist in {request.region}.",
                                        pointer="/spec/skuRef")
    if not server_type.available_in(zone):
        raise errors.PreconditionFailed(f"spec.skuRef: {sku} is not available in zone {zone}.",
                                        pointer="/spec/skuRef")
    boot = request.existing("block-storage", request.reference("bootVolume.deviceRef", "block-storages").name,
                            "bootVolume.deviceRef")
    if int(boot.spec.get("sizeGB", 0)) > server_type.disk_gb:
        raise errors.PreconditionFailed(
            f"spec.bootVolume: block storage {boot.key.name!r} asks for {boot.spec['sizeGB']} GB, but the boot "
            f"disk of {sku} holds {server_type.disk_gb} GB.", pointer="/spec/bootVolume")
    if boot.internal.get("placement") == "volume":
        raise errors.PreconditionFailed(f"spec.bootVolume: {boot.key.name!r} is a Hetzner volume already; Hetzner "
                                        "servers cannot boot from volumes.", pointer="/spec/bootVolume")
    for index, volume in enumerate(spec.get("dataVolumes") or []):
        name = ref_name(volume.get("deviceRef"))
        data = request.existing("block-storage", name, f"dataVolumes.{index}.deviceRef")
        if data.internal.get("placement") == "root-disk" or "local" in str(data.spec.get("skuRef")):
            raise errors.PreconditionFailed(f"spec.dataVolumes[{index}]: {name!r} is a server disk, not an "
                                            "attachable volume.", pointer=f"/spec/dataVolumes/{index}")
        placed_in = data.internal.get("location")
        if placed_in and placed_in != zone:
            raise errors.PreconditionFailed(f"spec.dataVolumes[{index}]: volume {name!r} lives in {placed_in}; "
                                            f"an instance in {zone} cannot attach it.",
                                            pointer=f"/spec/dataVolumes/{index}")
    for index, key in enumerate(spec.get("sshKeys") or []):
        if ssh_fingerprint(key) is None:
            raise errors.PreconditionFailed(f"spec.sshKeys[{index}] is not an OpenSSH public key.",
                                            pointer=f"/spec/sshKeys/{index}")
    return {} if request.old is not None else {"powerState": "off"}


def check_power_action(current: Resource, action: str) -> dict[str, Any]:
    """Decide an action against the latest accepted power intent; 412 when it makes no sense."""
    intent = current.internal.get("power", "off")
    if action == "start" and intent == "on":
        raise errors.PreconditionFailed("The instance is already started.")
    if action in ("stop", "restart") and intent == "off":
        raise errors.PreconditionFailed(f"The instance is stopped; it cannot {action}.")
    return {**current.internal, "power": "off" if action == "stop" else "on"}


INSTANCE = Kind(api=COMPUTE, kind="instance", collection="instances", scope="workspace", admit=admit,
                reconciler=InstanceReconciler(), actions=POWER_ACTIONS)
