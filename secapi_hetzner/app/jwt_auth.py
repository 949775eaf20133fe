"""Bearer JWTs: signature (RS256, ES256 or EdDSA, through PyJWT and cryptography), ``iss``, ``aud``, ``exp``,
``nbf`` (with a bounded clock skew) and ``sub`` checked; the tenant comes from a configured claim.

Keys come from a file (a JWKS document, or PEM public keys) that is re-read when it changes (checked at
most once a second), and/or from a JWKS URL, fetched with a short timeout, refreshed every
:data:`JWKS_TTL_SECONDS` and, for a key id it does not know, at most every :data:`JWKS_MISS_SECONDS` (so
tokens with made-up key ids cannot make every request fetch). Each key is used only with the algorithm of
its type: a token whose header names another one (``none``, ``HS256`` with a public key as the secret) is
refused. Nothing here logs a token.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from secapi_hetzner.settings import JwtSettings

ALGORITHMS = ("RS256", "ES256", "EdDSA")
JWKS_TTL_SECONDS = 300.0
JWKS_MISS_SECONDS = 10.0
JWKS_TIMEOUT_SECONDS = 5.0
FILE_CHECK_SECONDS = 1.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerificationKey:
    kid: str | None
    algorithm: str
    key: Any


def _algorithm_of(key: Any) -> str | None:
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    return None


def keys_from_jwks(document: Any) -> list[VerificationKey]:
    """The usable keys of a JWKS document (others, and private parts, are ignored)."""
    found = []
    for entry in (document or {}).get("keys", []) if isinstance(document, dict) else []:
        try:
            jwk = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
        key = jwk.key.public_key() if hasattr(jwk.key, "public_key") else jwk.key
        algorithm = _algorithm_of(key)
        if algorithm is not None and entry.get("use", "sig") == "sig":
            found.append(VerificationKey(entry.get("kid"), algorithm, key))
    return found


def keys_from_text(text: str) -> list[VerificationKey]:
    """A JWKS document, or one or more PEM public keys (no key id)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return keys_from_jwks(json.loads(stripped))
    found = []
    for block in stripped.split("-----END PUBLIC KEY-----"):
        if "-----BEGIN PUBLIC KEY-----" in block:
            key = load_pem_public_key((block.strip() + "\n-----END PUBLIC KEY-----\n").encode())
            algorithm = _algorithm_of(key)
            if algorithm is not None:
                found.append(VerificationKey(None, algorithm, key))
    return found


class FileKeys:
    """The keys of a file, re-read when its modification time or size changes."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._clock = clock
        self._stamp: tuple[float, int] | None = None
        self._checked = -FILE_CHECK_SECONDS
        self._keys: list[VerificationKey] = []
        self._lock = threading.Lock()

    def keys(self) -> list[VerificationKey]:
        if self._clock() - self._checked >= FILE_CHECK_SECONDS:
            with self._lock:
                self._checked = self._clock()
                try:
                    stat = self.path.stat()
                    stamp = (stat.st_mtime, stat.st_size)
                    if stamp != self._stamp:
                        self._keys, self._stamp = keys_from_text(self.path.read_text()), stamp
                except (OSError, ValueError) as exc:  # unreadable or broken: keep the keys that worked
                    log.warning("JWT keys file %s could not be read (%s); keeping the previous keys",
                                self.path, type(exc).__name__)
        return self._keys


class UrlKeys:
    """The keys of a JWKS URL, cached."""

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self._clock = clock
        self._keys: list[VerificationKey] = []
        self._fetched = -JWKS_TTL_SECONDS
        self._lock = threading.Lock()

    def keys(self, kid: str | None) -> list[VerificationKey]:
        age = self._clock() - self._fetched
        unknown = kid is not None and all(k.kid != kid for k in self._keys)
        if age >= JWKS_TTL_SECONDS or (unknown and age >= JWKS_MISS_SECONDS):
            self._fetch()
        return self._keys

    def _fetch(self) -> None:
        with self._lock:
            self._fetched = self._clock()
            try:
                with urllib.request.urlopen(self.url, timeout=JWKS_TIMEOUT_SECONDS) as answer:  # noqa: S310
                    self._keys = keys_from_jwks(json.loads(answer.read()))
            except (OSError, ValueError) as exc:
                log.warning("JWKS %s could not be fetched (%s); keeping the previous keys", self.url,
                            type(exc).__name__)


class JwtVerifier:
    def __init__(self, config: JwtSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._file = FileKeys(config.keys_file, clock) if config.keys_file else None
        self._url = UrlKeys(config.jwks_url, clock) if config.jwks_url else None

    @staticmethod
    def looks_like_jwt(token: str) -> bool:
        return token.count(".") == 2 and all(token.split("."))

    def _candidates(self, kid: str | None, algorithm: str) -> list[VerificationKey]:
        keys = (self._file.keys() if self._file else []) + (self._url.keys(kid) if self._url else [])
        return [k for k in keys if k.algorithm == algorithm and (kid is None or k.kid in (None, kid))]

    def verify(self, token: str) -> dict[str, Any] | None:
        """``{"sub": …, "tenant": …}`` for a valid token, else None (the caller answers 401)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS or (kid is not None and not isinstance(kid, str)):
            return None
        for candidate in self._candidates(kid, str(algorithm)):
            try:
                claims = jwt.decode(token, candidate.key, algorithms=[candidate.algorithm],
                                    audience=self.config.audience, issuer=self.config.issuer,
                                    leeway=self.config.leeway,
                                    options={"require": ["exp", "iss", "aud", "sub"]})
            except jwt.InvalidSignatureError:
                continue  # another key of the same type may have signed it (rotation)
            except jwt.PyJWTError:
                return None
            tenant, subject = claims.get(self.config.tenant_claim), claims.get("sub")
            if not isinstance(tenant, str) or not tenant or not isinstance(subject, str) or not subject:
                return None
            return {"sub": subject, "tenant": tenant}
        return None
