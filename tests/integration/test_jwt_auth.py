"""Bearer JWTs over HTTP: every way a token can be wrong is 401 (with WWW-Authenticate), a valid one is
authorised like any subject (its role assignments decide), keys rotate without a restart, and keys can come
from a JWKS URL."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from secapi_hetzner.app import create_app
from secapi_hetzner.app.jwt_auth import FILE_CHECK_SECONDS
from secapi_hetzner.app.services import current
from secapi_hetzner.services.tenancy import bootstrap_admin
from secapi_hetzner.settings import JwtSettings
from secapi_hetzner.simulator.server import RunningSimulator
from secapi_hetzner.store import Database
from tests.conftest import OWN_SPEC, TENANT, DatabaseFactory, make_settings
from tests.support.servers import serve_in_thread

ISSUER, AUDIENCE = "https://idp.example", "secapi-hetzner"
WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
KEYS: dict[str, Any] = {
    "rsa-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ec-1": ec.generate_private_key(ec.SECP256R1()),
    "ed-1": ed25519.Ed25519PrivateKey.generate(),
}
ALGORITHM = {"rsa-1": "RS256", "ec-1": "ES256", "ed-1": "EdDSA", "url-1": "ES256"}
#: the key only the JWKS URL serves
REMOTE = {"url-1": ec.generate_private_key(ec.SECP256R1())}


def jwks(*kids: str, keys: dict[str, Any] | None = None) -> dict[str, Any]:
    source = keys or KEYS
    entries = []
    for kid in kids:
        entry = json.loads(jwt.algorithms.get_default_algorithms()[ALGORITHM.get(kid, "RS256")].to_jwk(
            source[kid].public_key()))
        entries.append({**entry, "kid": kid, "use": "sig"})
    return {"keys": entries}


def token(kid: str = "rsa-1", *, key: Any = None, algorithm: str | None = None, headers: dict[str, Any] | None = None,
          **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "jane", "tenant": TENANT, "iat": now, "exp": now + 300, **claims}
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key if key is not None else KEYS[kid], algorithm=algorithm or ALGORITHM[kid],
                      headers={"kid": kid, **(headers or {})})


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jwt") / "jwks.json"
    path.write_text(json.dumps(jwks("rsa-1", "ec-1", "ed-1")))
    return path


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[tuple[str, dict[str, Any]]]:
    """A JWKS endpoint on loopback whose document the test can change."""
    served: dict[str, Any] = {"document": jwks("url-1", keys=REMOTE)}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            body = json.dumps(served["document"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", served
    server.shutdown()


@pytest.fixture(scope="module")
def served(keys_file: Path, jwks_url: tuple[str, dict[str, Any]], databases: DatabaseFactory,
           simulator_session: RunningSimulator) -> Iterator[str]:
    url = databases.fresh()
    db = Database(url, max_size=4)
    settings = make_settings(OWN_SPEC, url, simulator_session, jwt=JwtSettings(
        issuer=ISSUER, audience=AUDIENCE, keys_file=keys_file, jwks_url=jwks_url[0], leeway=30.0))
    app = create_app(settings, db=db)
    bootstrap_admin(current().resource_service, TENANT, "jane")  # jane administers the tenant; joe nothing
    with serve_in_thread(app) as base:
        yield base
    db.close()


def call(served: str, bearer: str | None, path: str = WORKSPACES) -> httpx.Response:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
    return httpx.get(f"{served}{path}", headers=headers, timeout=10)


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1", "ed-1"])
def test_a_valid_token_of_each_algorithm_is_authorised_like_its_subject(served: str, kid: str) -> None:
    assert call(served, token(kid)).status_code == 200
    denied = call(served, token(kid, sub="joe"))  # authenticated, but no assignment names joe
    assert denied.status_code == 403 and "'joe'" in denied.json()["detail"]


def _hs256_with_the_public_key() -> str:
    public = KEYS["rsa-1"].public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "jane", "tenant": TENANT, "exp": now + 300}
    segments = [jwt.utils.base64url_encode(json.dumps(part).encode()) for part in (header, body)]
    signature = hmac.new(public, b".".join(segments), hashlib.sha256).digest()
    return b".".join([*segments, jwt.utils.base64url_encode(signature)]).decode()


def _unsigned() -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "jane", "tenant": TENANT, "exp": now + 300}
    return jwt.encode(body, None, algorithm="none", headers={"kid": "rsa-1"})


BAD: dict[str, Any] = {
    "missing": lambda: None,
    "malformed": lambda: "not.a.jwt",
    "expired": lambda: token(exp=int(time.time()) - 120),
    "not-yet-valid": lambda: token(nbf=int(time.time()) + 120),
    "wrong-issuer": lambda: token(iss="https://evil.example"),
    "wrong-audience": lambda: token(aud="someone-else"),
    "wrong-signature": lambda: token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    "alg-none": _unsigned,
    "hs256-with-the-public-key": _hs256_with_the_public_key,
    "no-tenant-claim": lambda: token(tenant=None),
    "no-subject": lambda: token(sub=None),
    "no-expiry": lambda: token(exp=None),
    "unknown-key-id": lambda: token(headers={"kid": "who-knows"}),
}


@pytest.mark.parametrize("case", list(BAD))
def test_every_wrong_token_is_401_with_a_challenge(served: str, case: str) -> None:
    answer = call(served, BAD[case]())
    assert answer.status_code == 401, (case, answer.text)
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["status"] == 401


def test_clock_skew_within_the_leeway_is_accepted(served: str) -> None:
    assert call(served, token(exp=int(time.time()) - 5)).status_code == 200
    assert call(served, token(nbf=int(time.time()) + 5)).status_code == 200


def test_a_valid_token_of_another_tenant_is_403_on_this_tenants_path(served: str) -> None:
    answer = call(served, token(tenant="other-tenant"))
    assert answer.status_code == 403


def test_keys_rotate_without_a_restart(served: str, keys_file: Path) -> None:
    old = token("rsa-1")
    assert call(served, old).status_code == 200
    rotated = {"rsa-2": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
    keys_file.write_text(json.dumps(jwks("rsa-2", keys=rotated)))
    time.sleep(FILE_CHECK_SECONDS + 0.1)
    assert call(served, token("rsa-2", key=rotated["rsa-2"], algorithm="RS256")).status_code == 200
    assert call(served, old).status_code == 401  # its key is gone
    keys_file.write_text(json.dumps(jwks("rsa-1", "ec-1", "ed-1")))
    time.sleep(FILE_CHECK_SECONDS + 0.1)
    assert call(served, token("rsa-1")).status_code == 200


def test_keys_from_a_jwks_url(served: str) -> None:
    """Besides the file's keys (rotated above), the URL's."""
    assert call(served, token("url-1", key=REMOTE["url-1"])).status_code == 200
