"""SSH keys: the fingerprint is the MD5 of the key blob; name and fingerprint are unique per project."""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import struct
from typing import Final

from .common import apply_update
from .errors import invalid_field
from .inputs import opt_labels, req_str
from .model import Project, Record
from .routing import Ctx, Filter, Reply, Route, field_in, list_reply, one

KIND: Final = "ssh_key"
KEY_TYPES: Final = (
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


def fingerprint(public_key: str) -> str:
    """``aa:bb:…`` MD5 fingerprint of an OpenSSH public key, or ``invalid_input``."""
    parts = public_key.strip().split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise invalid_field("public_key", "unsupported or malformed public key")
    try:
        blob = base64.b64decode(parts[1], validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        embedded = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError) as exc:
        raise invalid_field("public_key", "public key data is not valid") from exc
    if embedded != parts[0]:
        raise invalid_field("public_key", "public key type does not match its data")
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def render(project: Project, record: Record) -> Record:
    return copy.deepcopy(record)


def list_ssh_keys(ctx: Ctx) -> Reply:
    records = ctx.project.store(KIND).values()
    filters = [Filter("fingerprint", field_in("fingerprint"))]
    return list_reply(
        ctx, "ssh_keys", records, lambda r: render(ctx.project, r), filters=filters, sorts=("id", "name")
    )


def get_ssh_key(ctx: Ctx) -> Reply:
    return one("ssh_key", render(ctx.project, ctx.project.get(KIND, ctx.id)))


def create_ssh_key(ctx: Ctx) -> Reply:
    name = req_str(ctx.body, "name")
    public_key = req_str(ctx.body, "public_key").strip()
    labels = opt_labels(ctx.body) or {}
    printed = fingerprint(public_key)
    ctx.project.ensure_unique(KIND, "name", name)
    ctx.project.ensure_unique(KIND, "fingerprint", printed)
    record = {"name": name, "public_key": public_key, "fingerprint": printed, "labels": labels}
    return one("ssh_key", render(ctx.project, ctx.project.insert(KIND, record)), 201)


def update_ssh_key(ctx: Ctx) -> Reply:
    record = apply_update(ctx, KIND, ctx.project.get(KIND, ctx.id))
    return one("ssh_key", render(ctx.project, record))


def delete_ssh_key(ctx: Ctx) -> Reply:
    ctx.project.get(KIND, ctx.id)
    del ctx.project.store(KIND)[ctx.id]
    return Reply(204)


ROUTES: Final = [
    Route("GET", "/ssh_keys", list_ssh_keys),
    Route("POST", "/ssh_keys", create_ssh_key),
    Route("GET", "/ssh_keys/{id}", get_ssh_key),
    Route("PUT", "/ssh_keys/{id}", update_ssh_key),
    Route("DELETE", "/ssh_keys/{id}", delete_ssh_key),
]
