"""Which Hetzner project (API token) serves a tenant. Tokens are encrypted at rest, never logged.

A tenant may have its own Hetzner project token (``secapi-hetzner tenants set-hetzner-token``),
stored Fernet-encrypted in ``tenants.hetzner_token_enc`` with the service key (``SECA_SECRET_KEY``,
or a key file generated in the data directory). Without one, the operator's project
(``HCLOUD_TOKEN``) serves the tenant; with the built-in simulator every tenant gets its own
simulated project. The lookup takes a workspace too, so a per-workspace override can be added
without touching callers.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from secapi_hetzner.store import Database

KEY_FILE = "secret.key"


def load_key(secret: str, data_dir: Path) -> bytes:
    if secret:
        return secret.encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


class Credentials:
    def __init__(self, db: Database, key: bytes, *, operator_token: str, simulated: bool) -> None:
        self._db = db
        self._fernet = Fernet(key)
        self._operator_token = operator_token
        self._simulated = simulated
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Credentials(simulated={self._simulated})"

    def token_for(self, tenant: str, workspace: str = "") -> str:
        with self._lock:
            if tenant in self._cache:
                return self._cache[tenant]
        row = self._db.one("get_tenant_hetzner_token", {"tenant": tenant})
        token = None
        if row and row["hetzner_token_enc"]:
            try:
                token = self._fernet.decrypt(bytes(row["hetzner_token_enc"])).decode()
            except InvalidToken as exc:
                raise RuntimeError(f"tenant {tenant!r}: the stored Hetzner token cannot be decrypted "
                                   "with this service key") from exc
        if token is None:
            token = f"simulated-project-{tenant}" if self._simulated else self._operator_token
        with self._lock:
            self._cache[tenant] = token
        return token

    def set_token(self, tenant: str, token: str) -> None:
        encrypted = self._fernet.encrypt(token.encode())
        with self._db.transaction() as conn:
            self._db.run("ensure_tenant", {"tenant": tenant}, conn)
            self._db.run("set_tenant_hetzner_token", {"tenant": tenant, "token": encrypted}, conn)
        with self._lock:
            self._cache.pop(tenant, None)
