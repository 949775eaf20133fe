"""The instance kind: admission (SKU in zone, zone in region, volumes, keys), power-action checks and
drift (a server deleted or changed outside the service, or powered on or off there)."""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.clock import now, rfc3339
from secapi_hetzner.engine.observe import Drift, Inventory
from secapi_hetzner.lifecycle import State
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.block_storage import usage as block_storages
from secapi_hetzner.resources.block_storage.model import BlockStorageSpec, Placement
from secapi_hetzner.resources.catalog import server_type_for_sku
from secapi_hetzner.resources.catalog import translate as catalog
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec
from secapi_hetzner.resources.instance.reconcile import InstanceReconciler
from secapi_hetzner.resources.instance.translate import networking_drift, power_state_from_server, ssh_fingerprint
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.nic import usage as nic_usage
from secapi_hetzner.resources.public_ip import usage as public_ip_usage
from secapi_hetzner.resources.references import pointer
from secapi_hetzner.scope import COMPUTE
from secapi_hetzner.store.repository import Key, Resource

POWER_ACTIONS = frozenset({"start", "stop", "restart"})
#: Hetzner's limit for a server's cloud-init user data (SECA allows 64 KiB)
HETZNER_USER_DATA_BYTES = 32 * 1024


class InstanceKind(Kind):
    api = COMPUTE
    kind = "instance"
    collection = "instances"
    scope = "workspace"
    actions = POWER_ACTIONS
    observes = frozenset({"servers"})
    record = InstanceRecord
    reconciler = InstanceReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = InstanceSpec.parse(request.spec)
        sku = request.expect(spec.sku, "skuRef", "skus").name
        zones = request.catalog.zones(request.region)
        if spec.zone not in zones:
            raise errors.PreconditionFailed(f"spec.zone: {spec.zone!r} is not a zone of region {request.region!r} "
                                            f"({', '.join(zones)}).", pointer="/spec/zone")
        snapshot = request.catalog.cache.get()
        before = InstanceSpec.parse(request.old.spec) if request.old is not None else None
        placing = before is None or (before.sku.name, before.zone) != (sku, spec.zone)
        kept = None if placing or request.old is None else \
            InstanceRecord.from_json(request.old.internal).server_type_for(sku)
        # a standard tier (seca.d2xs) resolves to a Hetzner type; an instance placed already keeps its own
        server_type = next((st for st in snapshot.server_types if st.name == kept), None) if kept else \
            server_type_for_sku(snapshot, request.region, sku)
        if server_type is None:
            raise errors.PreconditionFailed(f"spec.skuRef: compute SKU {sku!r} does not exist in {request.region}.",
                                            pointer="/spec/skuRef")
        if placing and not server_type.available_in(spec.zone):
            # a deprecated or sold-out type stops new placements only: existing servers of it keep running
            named = sku if server_type.name == sku else f"{sku} ({server_type.name})"
            raise errors.PreconditionFailed(f"spec.skuRef: {named} is not available in zone {spec.zone}.",
                                            pointer="/spec/skuRef")
        if spec.user_data is not None and len(spec.user_data.encode()) > HETZNER_USER_DATA_BYTES:
            raise errors.PreconditionFailed(
                f"spec.userData: Hetzner accepts at most {HETZNER_USER_DATA_BYTES // 1024} KiB of user data; this is "
                f"{len(spec.user_data.encode())} bytes.", pointer="/spec/userData")
        boot_name = request.expect(spec.boot_volume, "bootVolume.deviceRef", "block-storages").name
        boot = request.existing("block-storage", boot_name, "bootVolume.deviceRef")
        boot_gb = BlockStorageSpec.parse(boot.spec).size_gb
        if boot_gb > server_type.disk_gb:
            raise errors.PreconditionFailed(
                f"spec.bootVolume: block storage {boot.key.name!r} asks for {boot_gb} GB, but the boot "
                f"disk of {sku} holds {server_type.disk_gb} GB.", pointer="/spec/bootVolume")
        if block_storages.record_of(boot).placement == Placement.VOLUME:
            raise errors.PreconditionFailed(f"spec.bootVolume: {boot.key.name!r} is a Hetzner volume already; "
                                            "Hetzner servers cannot boot from volumes.", pointer="/spec/bootVolume")
        for index, volume in enumerate(spec.data_volumes):
            field = f"dataVolumes.{index}.deviceRef"
            data = request.existing("block-storage", request.expect(volume, field, "block-storages").name, field)
            placed = block_storages.record_of(data)
            if placed.placement == Placement.ROOT_DISK or \
                    BlockStorageSpec.parse(data.spec).sku.name == catalog.LOCAL_DISK_SKU:
                raise errors.PreconditionFailed(f"spec.dataVolumes[{index}]: {volume.name!r} is a server disk, not "
                                                "an attachable volume.", pointer=f"/spec/dataVolumes/{index}")
            if placed.location and placed.location != spec.zone:
                if before is not None and before.zone != spec.zone:
                    raise errors.PreconditionFailed(
                        f"spec.zone: the instance cannot move from {before.zone} to {spec.zone} with data volume "
                        f"{volume.name!r}: Hetzner volumes stay in their location ({placed.location}). Remove it "
                        "from spec.dataVolumes first.", pointer="/spec/zone")
                raise errors.PreconditionFailed(f"spec.dataVolumes[{index}]: volume {volume.name!r} lives in "
                                                f"{placed.location}; an instance in {spec.zone} cannot attach it.",
                                                pointer=f"/spec/dataVolumes/{index}")
        for index, key in enumerate(spec.ssh_keys):
            if ssh_fingerprint(key) is None:
                raise errors.PreconditionFailed(f"spec.sshKeys[{index}] is not an OpenSSH public key.",
                                                pointer=f"/spec/sshKeys/{index}")
        self._admit_network(request, spec, before)
        return {} if request.old is not None else {"powerState": "off"}

    @staticmethod
    def _admit_network(request: Admission, spec: InstanceSpec, before: InstanceSpec | None) -> None:
        """The NICs exist, are carried by no other instance, lead to different networks (Hetzner attaches a
        server to a network once) and bind at most one public IP of each family; the security group exists.
        A zone change keeps no public IP (Hetzner primary IPs stay in their location)."""
        fields = ([("primaryNicRef", spec.primary_nic)] if spec.primary_nic else []) + \
            [(f"additionalNicRefs.{i}", ref) for i, ref in enumerate(spec.additional_nics)]
        networks_seen: dict[str, str] = {}
        families: dict[str, str] = {}
        for field, ref in fields:
            name = request.expect(ref, field, "nics").name
            nic = request.existing("nic", name, field)
            others = [i for i in nic_usage.instances_using(request.repository, request.tenant, request.workspace,
                                                           name) if i.key.name != request.name]
            if others:
                raise errors.PreconditionFailed(f"spec.{field}: NIC {name!r} is used by instance "
                                                f"{others[0].key.name!r}.", pointer=pointer(field))
            nic_spec = nic_usage.spec_of(nic)
            if nic_spec.network in networks_seen and networks_seen[nic_spec.network] != name:
                raise errors.PreconditionFailed(
                    f"spec.{field}: NIC {name!r} and NIC {networks_seen[nic_spec.network]!r} are both in network "
                    f"{nic_spec.network!r}; a Hetzner server is attached to a network once.", pointer=pointer(field))
            networks_seen[nic_spec.network] = name
            for ip_name in nic_spec.public_ip_names:
                found = request.repository.get(Key(request.tenant, request.workspace, "", "public-ip", ip_name))
                if found is None or found.deleted_at is not None:
                    continue
                family = public_ip_usage.family_of(found)
                if family in families and families[family] != ip_name:
                    raise errors.PreconditionFailed(
                        f"spec.{field}: public IPs {families[family]!r} and {ip_name!r} are both {family}; a Hetzner "
                        "server has one primary IP of each family.", pointer=pointer(field))
                families[family] = ip_name
                if before is not None and before.zone != spec.zone:
                    raise errors.PreconditionFailed(
                        f"spec.zone: the instance cannot move from {before.zone} to {spec.zone} with public IP "
                        f"{ip_name!r} (NIC {name!r}): Hetzner primary IPs stay in their location. Remove it from the "
                        "NIC first.", pointer="/spec/zone")
        if spec.security_group is not None:
            group = request.expect(spec.security_group, "securityGroupRef", "security-groups").name
            request.existing("security-group", group, "securityGroupRef")

    def initial_record(self) -> dict[str, Any]:
        return InstanceRecord(create_attempts=0).to_json()  # no create sent: nothing to look for on Hetzner

    def check_action(self, resource: Resource, action: str) -> dict[str, Any]:
        """Decide a power action against the latest accepted power intent; 412 when it makes no sense."""
        record = InstanceRecord.from_json(resource.internal)
        if action == "start" and record.power == "on":
            raise errors.PreconditionFailed("The instance is already started.")
        if action in ("stop", "restart") and record.power == "off":
            raise errors.PreconditionFailed(f"The instance is stopped; it cannot {action}.")
        return record.changed(power="off" if action == "stop" else "on").to_json()

    def observe(self, resource: Resource, inventory: Inventory) -> Drift | None:
        record = InstanceRecord.from_json(resource.internal)
        if not record.server_id:
            return None
        server = inventory.servers.get(record.server_id)
        if server is None:
            return Drift("DeletedOutsideService",
                         f"Hetzner server {record.server_id} was deleted outside secapi-hetzner.")
        wanted = record.server_type_for(InstanceSpec.parse(resource.spec).sku.name) or \
            InstanceSpec.parse(resource.spec).sku.name
        if resource.state == State.ACTIVE and server.server_type != wanted:
            return Drift("ChangedOutsideService", f"Hetzner server {server.id} is now {server.server_type}, "
                                                  f"not {wanted}.")
        if resource.state == State.ACTIVE:
            changed = networking_drift(record, server)
            if changed:
                return Drift("ChangedOutsideService", f"Hetzner server {server.id}: {changed} outside secapi-hetzner; "
                                                      "PUT the instance again to restore its networking.")
        power = power_state_from_server(server)
        if power is not None and resource.state == State.ACTIVE and resource.status.get("powerState") != power:
            return Drift(status={"powerState": power, "powerStateSince": rfc3339(now())}, internal={"power": power})
        return None


INSTANCE = InstanceKind()
