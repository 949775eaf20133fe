"""Bearer-token authentication: token → tenant and subject.

Tokens are stored hashed (sha256): in the ``api_tokens`` table (``secapi-hetzner tokens``; listed with
``tokens list``, revoked with ``tokens revoke ID``) and optionally in a file (``SECA_TOKENS_FILE``, YAML/JSON
``{"tokens": [{"tenant": t, "sha256": h, "subject": s}]}``; the subject defaults to ``admin``). Lookups are
served from an in-process map, so a hit does no
blocking work on the event loop Connexion calls :meth:`TokenRegistry.token_info` on.

Revocation takes effect within :data:`TOKEN_MAX_AGE_SECONDS` on every replica: every change of
``api_tokens`` bumps a generation counter in PostgreSQL (a trigger, migration 0008), which a background
thread per process reads every :data:`TOKEN_POLL_SECONDS` (one small row) and reloads the map when it moved.
A map not confirmed current for longer (the poller is behind, the database slow) is checked on the request
itself: a revoked token is refused, or the request fails, never served from a stale map. A miss reloads
at most once a second, so a flood of bad tokens cannot flood the database.

:func:`token_info` returns the principal's claims (``tenant``, ``sub``); the resolver authorises each
request against the subject's role assignments (:mod:`secapi_hetzner.authz`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from connexion.security import BearerSecurityHandler

from secapi_hetzner import errors, limits
from secapi_hetzner.app.jwt_auth import JwtVerifier
from secapi_hetzner.settings import TOKEN_CACHE_REFRESH_SECONDS
from secapi_hetzner.store import Database

TOKEN_PREFIX = "seca_"
#: the subject of tokens issued without one (and of every token issued before subjects existed)
ADMIN_SUBJECT = "admin"
#: a revoked token is refused at most this long after the revocation (on every replica)
TOKEN_MAX_AGE_SECONDS = 1.0
#: how often each process reads the generation counter of the api_tokens table
TOKEN_POLL_SECONDS = 0.25
#: how long a request may wait for a connection to check the map itself (it runs on the event loop)
TOKEN_CHECK_WAIT_SECONDS = 0.5
log = logging.getLogger(__name__)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


Holder = tuple[str, str]  # (tenant, subject)


def load_tokens_file(path: Path) -> dict[str, Holder]:
    """``{sha256: (tenant, subject)}`` from a tokens file (YAML or JSON)."""
    data = yaml.safe_load(path.read_text()) or {}
    entries = data.get("tokens", []) if isinstance(data, dict) else []
    return {str(entry["sha256"]).lower(): (str(entry["tenant"]), str(entry.get("subject") or ADMIN_SUBJECT))
            for entry in entries if isinstance(entry, dict) and "sha256" in entry and "tenant" in entry}


class TokenRegistry:
    def __init__(self, db: Database | None, tokens_file: Path | None = None,
                 clock: Callable[[], float] = time.monotonic, *, poll_every: float = TOKEN_POLL_SECONDS,
                 max_age: float = TOKEN_MAX_AGE_SECONDS, jwt: JwtVerifier | None = None) -> None:
        self._db = db
        self._jwt = jwt
        self._file_tokens = load_tokens_file(tokens_file) if tokens_file else {}
        self._tokens: dict[str, Holder] = dict(self._file_tokens)
        self._clock = clock
        self._refreshed_at = -TOKEN_CACHE_REFRESH_SECONDS
        self._checked_at = -math.inf  # when the map was last confirmed current (the generation read)
        self._generation: int | None = None
        self._poll_every = poll_every
        self._max_age = max_age
        self._poller: threading.Thread | None = None
        self._request_check_failed_at = -math.inf  # when a request last failed to check the map itself
        self._lock = threading.Lock()

    def _read_generation(self, timeout: float | None = None) -> int | None:
        row = self._db.one("token_generation", timeout=timeout) if self._db is not None else None
        return int(row["generation"]) if row else None

    def refresh(self) -> None:
        """Reload every live token (the generation first: a change meanwhile reloads again later)."""
        started = self._clock()
        generation = self._read_generation()
        tokens = dict(self._file_tokens)
        if self._db is not None:
            tokens.update({row["token_hash"]: (row["tenant"], row["subject"]) for row in self._db.all("all_tokens")})
        with self._lock:
            self._tokens = tokens
            self._generation = generation
            self._refreshed_at = self._checked_at = started

    def check(self, timeout: float | None = None) -> None:
        """Confirm the map is current: one read of the generation counter, a reload when it moved."""
        started = self._clock()
        if self._read_generation(timeout) != self._generation:
            self.refresh()
        else:
            with self._lock:
                self._checked_at = max(self._checked_at, started)

    def _poll(self) -> None:
        db, failing = self._db, False
        assert db is not None
        while not db.pool.closed:
            try:
                self.check()
                failing = False
            except Exception:  # the database is away: requests check for themselves meanwhile
                if not failing:
                    log.warning("token cache: cannot read the token generation; checking on requests")
                failing = True
            time.sleep(self._poll_every)

    def _ensure_poller(self) -> None:
        if self._poller is None:
            with self._lock:
                if self._poller is None:
                    self._poller = threading.Thread(target=self._poll, name="token-generation", daemon=True)
                    self._poller.start()

    def holder_of(self, token: str) -> Holder | None:
        """The (tenant, subject) a token speaks for, or None."""
        if self._db is not None:
            self._ensure_poller()
            if self._clock() - self._checked_at > self._max_age:
                self._check_on_request()
        digest = hash_token(token)
        holder = self._tokens.get(digest)
        if holder is None and self._clock() - self._refreshed_at >= TOKEN_CACHE_REFRESH_SECONDS:
            self.refresh()
            holder = self._tokens.get(digest)
        return holder

    def tenant_for(self, token: str) -> str | None:
        holder = self.holder_of(token)
        return holder[0] if holder else None

    def _check_on_request(self) -> None:
        """The poller has not confirmed the map lately (the database is slow or away): the request checks
        it itself, waiting at most TOKEN_CHECK_WAIT_SECONDS for a connection. After a failed check, the
        requests of the next second are refused as unavailable (503) at once: never served from a map that
        may hold a revoked token, and never all waiting on the event loop for a database that is away."""
        if self._clock() - self._request_check_failed_at < TOKEN_CACHE_REFRESH_SECONDS:
            raise errors.Unavailable("API tokens cannot be verified right now (the database is not reachable).")
        try:
            self.check(TOKEN_CHECK_WAIT_SECONDS)
        except Exception:
            self._request_check_failed_at = self._clock()
            raise

    def listed(self, tenant: str | None = None, *, revoked: bool = False) -> list[dict[str, Any]]:
        """The stored tokens (id, tenant, label, created, revoked): never a token or its hash."""
        if self._db is None:
            raise RuntimeError("tokens can only be listed with a database")
        return self._db.all("list_tokens", {"tenant": tenant, "all": revoked})

    def revoke(self, token_id: int) -> dict[str, Any] | None:
        """Revoke one stored token by id; its row (id, tenant, label), or None when unknown or revoked."""
        if self._db is None:
            raise RuntimeError("tokens can only be revoked with a database")
        row = self._db.one("revoke_token", {"id": token_id})
        self.refresh()
        return row

    def issue(self, tenant: str, label: str = "", *, replace: bool = False, subject: str = ADMIN_SUBJECT) -> str:
        """Create a token for ``subject`` in ``tenant``, store its hash, return the clear token (shown once).
        What it may do is what the subject's role assignments allow (``Tenancy.bootstrap_admin``)."""
        if self._db is None:
            raise RuntimeError("tokens can only be issued with a database")
        limits.check_tenant_name(tenant)
        token = new_token()
        with self._db.transaction() as conn:
            self._db.run("ensure_tenant", {"tenant": tenant}, conn)
            if replace:
                self._db.run("revoke_tokens_by_label", {"tenant": tenant, "label": label}, conn)
            self._db.run("insert_token", {"token_hash": hash_token(token), "tenant": tenant, "label": label,
                                          "subject": subject}, conn)
        self.refresh()
        return token

    def token_info(self, token: str) -> dict[str, Any] | None:
        if self._jwt is not None and not token.startswith(TOKEN_PREFIX) and self._jwt.looks_like_jwt(token):
            return self._jwt.verify(token)
        holder = self.holder_of(token)
        if holder is None:
            return None
        return {"sub": holder[1], "tenant": holder[0]}


@functools.lru_cache(maxsize=1024)
def _accepts_kwarg(func: Callable[..., Any], keyword: str) -> bool:
    return bool(BearerSecurityHandler._accepts_kwarg(func, keyword))  # noqa: SLF001 - its own answer, kept


def bearer_handler(registry_lookup: Callable[[], TokenRegistry]) -> type[BearerSecurityHandler]:
    """A Connexion bearer handler bound to the registry (no function name in the spec needed)."""

    class SecaBearer(BearerSecurityHandler):  # type: ignore[misc]
        def _resolve_func(self, security_scheme: dict[str, Any]) -> Callable[[str], Any]:
            return lambda token: registry_lookup().token_info(token)

        @staticmethod
        def _accepts_kwarg(func: Callable[..., Any], keyword: str) -> bool:
            # Connexion inspects the token function's signature twice per request; it takes the token alone
            return _accepts_kwarg(func, keyword)

    return SecaBearer


class PublicBearer(BearerSecurityHandler):  # type: ignore[misc]
    """For the public discovery document: a token is accepted but not required."""

    def _resolve_func(self, security_scheme: dict[str, Any]) -> Callable[[str], Any]:
        return lambda token: {"sub": "anonymous"}

    def _get_verify_func(self, function: Callable[[str], Any]) -> Callable[[Any], Any]:
        def verify(request: Any) -> Any:
            return {"sub": "anonymous"}

        return verify


