"""Plain, frozen views of Hetzner objects. No ``Bound*`` model ever leaves the gateway."""

from __future__ import annotations

from dataclasses import dataclass


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
