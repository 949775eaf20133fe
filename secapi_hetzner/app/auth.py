"""Bearer-token authentication: token → tenant.

Tokens are stored hashed (sha256): in the ``api_tokens`` table (``secapi-hetzner tokens create``)
and optionally in a file (``SECA_TOKENS_FILE``, YAML/JSON ``{"tokens": [{"tenant": t, "sha256": h}]}``).
Lookups are served from an in-process map, refreshed from the database at most once per second on
a miss, so a flood of bad tokens cannot flood the database. Connexion calls :meth:`TokenRegistry.token_info`
on the event loop, so it does no blocking work on a hit.

This is the hook where JWT verification and RBAC plug in later: :func:`token_info` returns the
principal's claims; the resolver's authorization step reads them.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from connexion.security import BearerSecurityHandler

from secapi_hetzner.settings import TOKEN_CACHE_REFRESH_SECONDS
from secapi_hetzner.store import Database

TOKEN_PREFIX = "seca_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def load_tokens_file(path: Path) -> dict[str, str]:
    """``{sha256: tenant}`` from a tokens file (YAML or JSON)."""
    data = yaml.safe_load(path.read_text()) or {}
    entries = data.get("tokens", []) if isinstance(data, dict) else []
    return {str(entry["sha256"]).lower(): str(entry["tenant"]) for entry in entries
            if isinstance(entry, dict) and "sha256" in entry and "tenant" in entry}


class TokenRegistry:
    def __init__(self, db: Database | None, tokens_file: Path | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._file_tokens = load_tokens_file(tokens_file) if tokens_file else {}
        self._tokens: dict[str, str] = dict(self._file_tokens)
        self._clock = clock
        self._refreshed_at = -TOKEN_CACHE_REFRESH_SECONDS
        self._lock = threading.Lock()

    def refresh(self) -> None:
        tokens = dict(self._file_tokens)
        if self._db is not None:
            tokens.update({row["token_hash"]: row["tenant"] for row in self._db.all("all_tokens")})
        with self._lock:
            self._tokens = tokens
            self._refreshed_at = self._clock()

    def tenant_for(self, token: str) -> str | None:
        digest = hash_token(token)
        tenant = self._tokens.get(digest)
        if tenant is None and self._clock() - self._refreshed_at >= TOKEN_CACHE_REFRESH_SECONDS:
            self.refresh()
            tenant = self._tokens.get(digest)
        return tenant

    def issue(self, tenant: str, label: str = "", *, replace: bool = False) -> str:
        """Create a token for ``tenant``, store its hash, return the clear token (shown once)."""
        if self._db is None:
            raise RuntimeError("tokens can only be issued with a database")
        token = new_token()
        with self._db.transaction() as conn:
            self._db.run("ensure_tenant", {"tenant": tenant}, conn)
            if replace:
                self._db.run("revoke_tokens_by_label", {"tenant": tenant, "label": label}, conn)
            self._db.run("insert_token", {"token_hash": hash_token(token), "tenant": tenant, "label": label}, conn)
        self.refresh()
        return token

    def token_info(self, token: str) -> dict[str, Any] | None:
        tenant = self.tenant_for(token)
        if tenant is None:
            return None
        return {"sub": f"token:{hash_token(token)[:12]}", "tenant": tenant}


def bearer_handler(registry_lookup: Callable[[], TokenRegistry]) -> type[BearerSecurityHandler]:
    """A Connexion bearer handler bound to the registry (no function name in the spec needed)."""

    class SecaBearer(BearerSecurityHandler):  # type: ignore[misc]
        def _resolve_func(self, security_scheme: dict[str, Any]) -> Callable[[str], Any]:
            return lambda token: registry_lookup().token_info(token)

    return SecaBearer


class PublicBearer(BearerSecurityHandler):  # type: ignore[misc]
    """For the public discovery document: a token is accepted but not required."""

    def _resolve_func(self, security_scheme: dict[str, Any]) -> Callable[[str], Any]:
        return lambda token: {"sub": "anonymous"}

    def _get_verify_func(self, function: Callable[[str], Any]) -> Callable[[Any], Any]:
        def verify(request: Any) -> Any:
            return {"sub": "anonymous"}

        return verify


