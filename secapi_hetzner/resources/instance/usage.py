"""The instance kind's API for the kinds that look at instances (images take snapshots of servers)."""

from __future__ import annotations

from secapi_hetzner.resources.instance.model import InstanceRecord
from secapi_hetzner.store.repository import Resource


def server_id_of(instance: Resource) -> int | None:
    """The Hetzner server an instance has, once created."""
    return InstanceRecord.from_json(instance.internal).server_id
