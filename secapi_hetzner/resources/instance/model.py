"""The instance kind's typed model: spec (parsed once at admission), status fields, internal record. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.references import Reference

Power = Literal["on", "off"]


@dataclass(frozen=True)
class InstanceSpec:
    sku: Reference
    zone: str
    boot_volume: Reference
    data_volumes: tuple[Reference, ...] = ()
    user_data: str | None = None
    ssh_keys: tuple[str, ...] = ()
    anti_affinity_group: str | None = None
    primary_nic: Reference | None = None
    additional_nics: tuple[Reference, ...] = ()
    security_group: Reference | None = None

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> InstanceSpec:
        volumes = spec.get("dataVolumes") or []
        return cls(
            sku=Reference.parse(spec.get("skuRef"), "spec.skuRef"),
            zone=str(spec.get("zone", "")),
            boot_volume=Reference.parse((spec.get("bootVolume") or {}).get("deviceRef"), "spec.bootVolume.deviceRef"),
            data_volumes=tuple(Reference.parse((v or {}).get("deviceRef"), f"spec.dataVolumes.{i}.deviceRef")
                               for i, v in enumerate(volumes)),
            user_data=spec.get("userData"),
            ssh_keys=tuple(spec.get("sshKeys") or ()),
            anti_affinity_group=spec.get("antiAffinityGroup"),
            primary_nic=Reference.parse_optional(spec.get("primaryNicRef"), "spec.primaryNicRef"),
            additional_nics=tuple(Reference.parse(ref, f"spec.additionalNicRefs.{i}")
                                  for i, ref in enumerate(spec.get("additionalNicRefs") or [])),
            security_group=Reference.parse_optional(spec.get("securityGroupRef"), "spec.securityGroupRef"),
        )

    @property
    def storage_names(self) -> tuple[str, ...]:
        """The block storages the instance uses: boot volume first."""
        return (self.boot_volume.name, *(v.name for v in self.data_volumes))

    @property
    def nic_names(self) -> tuple[str, ...]:
        """The NICs the instance carries: the primary first."""
        refs = (self.primary_nic, *self.additional_nics) if self.primary_nic else self.additional_nics
        return tuple(dict.fromkeys(ref.name for ref in refs))


@dataclass(frozen=True)
class InstanceRecord(InternalRecord):
    """``server_id``: the Hetzner server; ``location``: where it was created; ``power``: the latest
    accepted power intent; ``shutdown_started``: when a graceful shutdown began (epoch seconds);
    ``shutdown_seen_on``: how far into it the server was last seen on (to learn the guest's pace);
    ``create_attempts``: how many creates were sent (a lost answer is looked for only after one);
    ``move_*``: a zone change in progress (see ``reconcile.InstanceReconciler._move``)."""

    server_id: int | None = None
    location: str | None = None
    power: Power = "off"
    shutdown_started: float | None = None
    #: seconds into that shutdown when the server was last seen still on (None: not looked at since)
    shutdown_seen_on: float | None = None
    #: creates sent so far (0 for an instance whose server was never asked for; None before this was kept)
    create_attempts: int | None = None
    #: the Hetzner server type placed for ``placed_sku`` (a tier keeps its type when the tier moves on)
    server_type: str | None = None
    placed_sku: str | None = None
    #: a zone change under way: the server being replaced and its location (kept until the move is reported)
    move_from: int | None = None
    move_from_location: str | None = None
    #: the snapshot of the replaced server's disk that the new server is made from, once asked for
    move_snapshot: int | None = None
    move_snapshot_sent: bool | None = None
    #: the new server's create was sent (a lost answer is looked for by its labels)
    move_create_sent: bool | None = None
    #: networking as last set on the server (resources/instance/networking.py): the NICs carried, and
    #: the networks, primary IPs and firewalls the service attached, assigned and applied
    nics: tuple[str, ...] | None = None
    network_ids: tuple[int, ...] | None = None
    primary_ip_ids: tuple[int, ...] | None = None
    firewall_ids: tuple[int, ...] | None = None
    #: a primary IP Hetzner made with the server, being unassigned for a NIC's public IP: deleted afterwards
    drop_primary_ip: int | None = None
    #: the server's public addresses (IPv4, IPv6 /64): security groups naming this one's as peers use them
    public_addresses: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("nics", "network_ids", "primary_ip_ids", "firewall_ids", "public_addresses"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))

    def server_type_for(self, sku: str) -> str | None:
        """The type this instance was placed with for ``sku``, if it was."""
        return self.server_type if self.placed_sku == sku else None


@dataclass(frozen=True)
class InstanceStatus:
    power_state: Power
    power_state_since: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"powerState": self.power_state}
        if self.power_state_since is not None:
            body["powerStateSince"] = self.power_state_since
        return body
