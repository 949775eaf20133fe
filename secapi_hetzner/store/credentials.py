"""Which Hetzner project (API token) serves a tenant, or one of its workspaces. Tokens are encrypted at
rest, never logged, never returned.

A tenant may have its own Hetzner project token (``secapi-hetzner tenant-token``), and a workspace its
own on top of that (``secapi-hetzner workspace-token``: strong isolation for a workspace that needs it),
both stored Fernet-encrypted with the service key (``SECA_SECRET_KEY``, or a key file generated in the
data directory). ``SECA_SECRET_KEY`` may list several keys, comma-separated, newest first: tokens are
encrypted with the newest and decrypted with any, and ``secapi-hetzner keys rotate`` re-encrypts every
stored token with the newest so that the older keys can be dropped. Without a token of its own a
workspace uses its tenant's, and a tenant the operator's project (``HCLOUD_TOKEN``); with the built-in
simulator every tenant gets its own simulated project.

Every process caches tokens; a change bumps a generation counter in PostgreSQL, which each process looks
at at most once a second, so a rotated or cleared token stops being used everywhere within a second.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from secapi_hetzner.store import Database

KEY_FILE = "secret.key"
#: how long a process trusts its cached tokens before looking at the generation counter again
FRESHNESS_SECONDS = 1.0


def load_key(secret: str, data_dir: Path) -> bytes:
    """The service key(s): ``SECA_SECRET_KEY`` (comma-separated, newest first) or the generated key file."""
    if secret:
        return secret.encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


def service_cipher(keys: bytes) -> MultiFernet:
    """Every key of ``keys`` (comma-separated, newest first); the newest encrypts."""
    parts = [part.strip() for part in keys.split(b",") if part.strip()]
    if not parts:
        raise ValueError("no service key")
    return MultiFernet([Fernet(part) for part in parts])


@dataclass(frozen=True)
class WorkspaceCredential:
    tenant: str
    workspace: str
    updated_at: str


class Credentials:
    def __init__(self, db: Database, key: bytes, *, operator_token: str, simulated: bool) -> None:
        self._db = db
        self._cipher = service_cipher(key)
        self._operator_token = operator_token
        self._simulated = simulated
        self._cache: dict[tuple[str, str], str] = {}
        self._generation: int | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Credentials(simulated={self._simulated})"

    # -- reading -------------------------------------------------------------------------------------

    def token_for(self, tenant: str, workspace: str = "") -> str:
        """The token of the Hetzner project serving the workspace: its own, else its tenant's, else the
        operator's (or the tenant's simulated project)."""
        self._refresh()
        with self._lock:
            cached = self._cache.get((tenant, workspace))
        if cached is not None:
            return cached
        token = self._decrypt(self._db.one("get_workspace_hetzner_token", {"tenant": tenant, "workspace": workspace}),
                              f"workspace {workspace!r} of tenant {tenant!r}") if workspace else None
        if token is None:
            token = self._tenant_token(tenant)
        with self._lock:
            self._cache[(tenant, workspace)] = token
        return token

    def _tenant_token(self, tenant: str) -> str:
        token = self._decrypt(self._db.one("get_tenant_hetzner_token", {"tenant": tenant}), f"tenant {tenant!r}")
        if token is not None:
            return token
        return f"simulated-project-{tenant}" if self._simulated else self._operator_token

    def _decrypt(self, row: dict[str, Any] | None, owner: str) -> str | None:
        if not row or not row["hetzner_token_enc"]:
            return None
        try:
            return self._cipher.decrypt(bytes(row["hetzner_token_enc"])).decode()
        except InvalidToken as exc:
            raise RuntimeError(f"{owner}: the stored Hetzner token cannot be decrypted with the service key(s)") \
                from exc

    def _refresh(self) -> None:
        """Drop the cache when any process changed a stored token (looked at at most once a second)."""
        if time.monotonic() - self._checked < FRESHNESS_SECONDS:
            return
        row = self._db.one("credential_generation")
        generation = int(row["generation"]) if row else 0
        with self._lock:
            if generation != self._generation:
                self._cache.clear()
                self._generation = generation
            self._checked = time.monotonic()

    def workspaces_with_own_project(self, tenant: str | None = None) -> list[WorkspaceCredential]:
        return [WorkspaceCredential(row["tenant"], row["workspace"], row["updated_at"].isoformat(timespec="seconds"))
                for row in self._db.all("list_workspace_hetzner_tokens", {"tenant": tenant})]

    # -- writing -------------------------------------------------------------------------------------

    def set_token(self, tenant: str, token: str) -> None:
        encrypted = self._cipher.encrypt(token.encode())
        with self._db.transaction() as conn:
            self._db.run("ensure_tenant", {"tenant": tenant}, conn)
            self._db.run("set_tenant_hetzner_token", {"tenant": tenant, "token": encrypted}, conn)
            self._db.run("bump_credential_generation", {}, conn)
        self._forget()

    def set_workspace_token(self, tenant: str, workspace: str, token: str) -> None:
        encrypted = self._cipher.encrypt(token.encode())
        with self._db.transaction() as conn:
            self._db.run("set_workspace_hetzner_token", {"tenant": tenant, "workspace": workspace,
                                                         "token": encrypted}, conn)
            self._db.run("bump_credential_generation", {}, conn)
        self._forget()

    def clear_workspace_token(self, tenant: str, workspace: str) -> bool:
        """The workspace goes back to its tenant's project; False when it had no token of its own."""
        with self._db.transaction() as conn:
            cleared = self._db.all("clear_workspace_hetzner_token", {"tenant": tenant, "workspace": workspace}, conn)
            self._db.run("bump_credential_generation", {}, conn)
        self._forget()
        return bool(cleared)

    def rotate(self) -> int:
        """Re-encrypt every stored token with the newest service key; how many there were."""
        with self._db.transaction() as conn:
            rows = self._db.all("all_encrypted_hetzner_tokens", {}, conn)
            for row in rows:
                rotated = self._cipher.rotate(bytes(row["hetzner_token_enc"]))
                if row["owner"] == "tenant":
                    self._db.run("set_tenant_hetzner_token", {"tenant": row["tenant"], "token": rotated}, conn)
                else:
                    self._db.run("set_workspace_hetzner_token", {"tenant": row["tenant"],
                                                                 "workspace": row["workspace"], "token": rotated}, conn)
            self._db.run("bump_credential_generation", {}, conn)
        self._forget()
        return len(rows)

    def _forget(self) -> None:
        with self._lock:
            self._cache.clear()
            self._checked = 0.0
