"""What the drift check shows a kind, and what a kind reports back. Pure data.

The runner lists each Hetzner project's managed objects once per round (one paged call per Hetzner
collection, whatever the number of resources) into an :class:`Inventory`; each kind compares its
resources with it (``Kind.observe``) and answers with a :class:`Drift`, which the runner applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from secapi_hetzner.hetzner.models import HFirewall, HNetwork, HPrimaryIP, HServer, HVolume

Collection = Literal["servers", "volumes", "primary_ips", "firewalls", "networks"]


@dataclass(frozen=True)
class Inventory:
    servers: Mapping[int, HServer] = field(default_factory=dict)
    volumes: Mapping[int, HVolume] = field(default_factory=dict)
    primary_ips: Mapping[int, HPrimaryIP] = field(default_factory=dict)
    firewalls: Mapping[int, HFirewall] = field(default_factory=dict)
    networks: Mapping[int, HNetwork] = field(default_factory=dict)


@dataclass(frozen=True)
class Drift:
    """A failure (``reason`` set: the resource goes to ``error``), or fields to reflect on an active
    resource (``status`` and ``internal`` merged, no state change)."""

    reason: str = ""
    message: str = ""
    status: Mapping[str, Any] = field(default_factory=dict)
    internal: Mapping[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.reason)
