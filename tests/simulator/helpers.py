"""Small builders shared by the simulator tests."""

from __future__ import annotations

import base64
import hashlib
import struct

import hcloud
from hcloud.images import Image
from hcloud.locations import Location
from hcloud.server_types import ServerType
from hcloud.servers import BoundServer


def public_key(seed: str, comment: str = "test@example") -> str:
    """A syntactically valid ssh-ed25519 public key derived from ``seed``."""
    kind = b"ssh-ed25519"
    key = hashlib.sha256(seed.encode()).digest()
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(key)) + key
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def md5_fingerprint(key: str) -> str:
    digest = hashlib.md5(base64.b64decode(key.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def create_server(
    client: hcloud.Client,
    name: str,
    server_type: str = "cx23",
    location: str = "fsn1",
    image: str = "ubuntu-24.04",
    wait: bool = True,
    **options: object,
) -> BoundServer:
    response = client.servers.create(
        name,
        server_type=ServerType(name=server_type),
        image=Image(name=image),
        location=Location(name=location),
        **options,  # type: ignore[arg-type]
    )
    if wait:
        response.action.wait_until_finished()
        for action in response.next_actions:
            action.wait_until_finished()
    return client.servers.get_by_id(response.server.id)


def stopped_server(client: hcloud.Client, name: str, **options: object) -> BoundServer:
    server = create_server(client, name, start_after_create=False, **options)
    assert server.status == "off"
    return server
