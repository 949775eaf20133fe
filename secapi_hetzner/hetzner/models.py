"""Plain, frozen views of Hetzner objects. No ``Bound*`` model ever leaves the gateway."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, NamedTuple, TypeVar


@dataclass(frozen=True)
class HLocation:
    id: int
    name: str
    description: str
    country: str
    city: str
    network_zone: str


@dataclass(frozen=True)
class HTypeLocation:
    name: str
    available: bool
    deprecated: bool


@dataclass(frozen=True)
class HServerType:
    id: int
    name: str
    description: str
    category: str
    cores: int
    memory_gb: float
    disk_gb: int
    storage_type: str
    cpu_type: str
    architecture: str
    deprecated: bool
    locations: tuple[HTypeLocation, ...]

    def available_in(self, location: str) -> bool:
        return any(loc.name == location and loc.available and not loc.deprecated for loc in self.locations)


@dataclass(frozen=True)
class HImage:
    id: int
    name: str
    type: str
    description: str
    architecture: str
    os_flavor: str
    os_version: str
    disk_size_gb: float
    image_size_gb: float | None
    status: str
    deprecated: bool
    labels: tuple[tuple[str, str], ...] = ()


# -- compute and storage --------------------------------------------------------------------------------
#
# Labels are a sorted tuple of ``(key, value)`` pairs (as on :class:`HImage`): frozen, hashable and
# comparable; ``dict(obj.labels)`` gives a mapping back. Gateway methods *take* labels as any mapping.

Labels = tuple[tuple[str, str], ...]
T = TypeVar("T")


def freeze_labels(labels: Mapping[str, str] | None) -> Labels:
    return tuple(sorted((labels or {}).items()))


@dataclass(frozen=True)
class HAction:
    """A Hetzner action (``GET /actions/{id}``): ``running``, then ``success`` or ``error``."""

    id: int
    command: str
    status: str
    progress: int
    error_code: str | None = None
    error_message: str | None = None
    started: datetime | None = None
    finished: datetime | None = None

    @property
    def seconds(self) -> float | None:
        """How long the action took, once finished."""
        if self.started is None or self.finished is None:
            return None
        return max(0.0, (self.finished - self.started).total_seconds())

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def succeeded(self) -> bool:
        return self.status == "success"

    @property
    def failed(self) -> bool:
        return self.status == "error"


class HCreated(NamedTuple, Generic[T]):
    """What a create returns: the new object (as Hetzner showed it at once) and its action, if any.

    Follow-up actions Hetzner lists as ``next_actions`` (``start_server``, ``attach_volume``) are not
    returned; callers observe their effect on the object (status, ``locked``, ``server_id``).
    """

    obj: T
    action: HAction | None


@dataclass(frozen=True)
class HPrivateNet:
    """A server's attachment to a private network: its address there, alias addresses, interface MAC."""

    network_id: int
    ip: str
    alias_ips: tuple[str, ...] = ()
    mac_address: str = ""


@dataclass(frozen=True)
class HServer:
    id: int
    name: str
    status: str  # running|initializing|starting|stopping|off|deleting|migrating|rebuilding|unknown
    server_type: str  # name, e.g. "cx23"
    location: str  # name, e.g. "fsn1"
    image: str | None  # system image name, or the id (as a string) of a snapshot/backup; None if gone
    labels: Labels
    volume_ids: tuple[int, ...]
    primary_disk_size: int
    placement_group_id: int | None
    ipv4: str | None
    ipv6: str | None  # the /64 network, e.g. "2a01:4f8:1c1c:1::/64"
    locked: bool
    delete_protected: bool
    created: datetime
    private_net: tuple[HPrivateNet, ...] = ()
    primary_ipv4_id: int | None = None
    primary_ipv6_id: int | None = None
    #: the firewalls applied to its public interfaces
    firewall_ids: tuple[int, ...] = ()

    def attachment(self, network_id: int) -> HPrivateNet | None:
        """Its attachment to ``network_id``, if attached."""
        return next((n for n in self.private_net if n.network_id == network_id), None)

    @property
    def public(self) -> bool:
        """It has a public interface (a primary IPv4 or IPv6)."""
        return self.primary_ipv4_id is not None or self.primary_ipv6_id is not None


@dataclass(frozen=True)
class HVolume:
    id: int
    name: str
    size: int  # GB
    location: str
    server_id: int | None
    labels: Labels
    status: str  # creating|available
    linux_device: str
    created: datetime
    format: str | None  # ext4|xfs, or None if Hetzner did not format it
    delete_protected: bool
    # No ``locked``: Hetzner's volume object has none. A volume is locked while one of its actions
    # runs; the caller knows that action, and a conflicting call answers 423 ``locked`` (transient).


@dataclass(frozen=True)
class HSshKey:
    id: int
    name: str
    fingerprint: str
    public_key: str
    labels: Labels


@dataclass(frozen=True)
class HSnapshot:
    """An image of the project (``type`` snapshot or backup); ``get_image`` also shows system images so."""

    id: int
    type: str
    description: str
    status: str  # creating|available|unavailable
    image_size_gb: float | None
    disk_size_gb: float
    architecture: str
    created_from_server_id: int | None
    labels: Labels
    created: datetime


@dataclass(frozen=True)
class HPlacementGroup:
    id: int
    name: str
    type: str
    server_ids: tuple[int, ...]
    labels: Labels


# -- network -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HPrimaryIP:
    id: int
    name: str
    type: str  # ipv4 | ipv6
    ip: str  # an address (ipv4) or a /64 network (ipv6)
    location: str
    assignee_id: int | None
    auto_delete: bool
    labels: Labels
    delete_protected: bool
    created: datetime


@dataclass(frozen=True)
class HFirewallRule:
    """One Hetzner firewall rule; ``port`` only for tcp/udp ("80", "80-85" or "any")."""

    direction: str  # in | out
    protocol: str  # tcp | udp | icmp | esp | gre
    port: str | None = None
    source_ips: tuple[str, ...] = ()
    destination_ips: tuple[str, ...] = ()
    description: str | None = None

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {"direction": self.direction, "protocol": self.protocol}
        if self.port is not None:
            body["port"] = self.port
        if self.source_ips:
            body["source_ips"] = list(self.source_ips)
        if self.destination_ips:
            body["destination_ips"] = list(self.destination_ips)
        if self.description:
            body["description"] = self.description
        return body


@dataclass(frozen=True)
class HFirewall:
    id: int
    name: str
    rules: tuple[HFirewallRule, ...]
    applied_to_servers: tuple[int, ...]
    labels: Labels
    created: datetime


@dataclass(frozen=True)
class HSubnet:
    ip_range: str
    network_zone: str
    type: str


@dataclass(frozen=True)
class HRoute:
    destination: str
    gateway: str


@dataclass(frozen=True)
class HNetwork:
    id: int
    name: str
    ip_range: str
    subnets: tuple[HSubnet, ...]
    routes: tuple[HRoute, ...]
    server_ids: tuple[int, ...]
    labels: Labels
