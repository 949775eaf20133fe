"""SECA instance ↔ Hetzner server, as pure functions (tested without I/O)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from secapi_hetzner.hetzner.models import HServer
from secapi_hetzner.resources.block_storage.model import BlockStorageSpec
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec, Power

SSH_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                 "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
DEFAULT_IMAGE = "ubuntu-24.04"


def ssh_fingerprint(public_key: str) -> str | None:
    """Hetzner's MD5 fingerprint of an OpenSSH public key, or None if it is not one."""
    parts = public_key.strip().split()
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def image_for(boot: BlockStorageSpec | None, architecture: str) -> str:
    """The image a new server boots: the boot block storage's sourceImageRef, else the default (docs)."""
    name = boot.source_image.name if boot is not None and boot.source_image is not None else DEFAULT_IMAGE
    return name.removesuffix("-arm64") if architecture == "arm" else name


@dataclass(frozen=True)
class ServerRequest:
    server_type: str
    location: str
    user_data: str | None
    public_keys: tuple[str, ...]
    anti_affinity_group: str | None


def server_request_from_instance(spec: InstanceSpec, server_type: str) -> ServerRequest:
    """The server to create for ``spec``, of ``server_type`` (what its SKU resolved to)."""
    return ServerRequest(server_type=server_type, location=spec.zone, user_data=spec.user_data,
                         public_keys=spec.ssh_keys, anti_affinity_group=spec.anti_affinity_group)


def power_state_from_server(server: HServer) -> Power | None:
    """``on`` (running) or ``off``; None while Hetzner moves the server between them (starting, stopping,
    initializing, …): a start that fails leaves the server off, so ``starting`` is never taken as on."""
    return {"running": "on", "off": "off"}.get(server.status)  # type: ignore[return-value]


def networking_drift(record: InstanceRecord, server: HServer) -> str | None:
    """What of the networking the service set on the server is gone (detached, removed, unassigned), if any."""
    attached = {n.network_id for n in server.private_net}
    lost = [f"detached from network {n}" for n in record.network_ids or () if n not in attached]
    lost += [f"firewall {f} removed" for f in record.firewall_ids or () if f not in server.firewall_ids]
    bound = {server.primary_ipv4_id, server.primary_ipv6_id}
    lost += [f"primary IP {p} unassigned" for p in record.primary_ip_ids or () if p not in bound]
    return ", ".join(lost) or None
