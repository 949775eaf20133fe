"""No credential in clear anywhere: a workload with opaque tokens, JWTs, a tenant's and a workspace's own Hetzner tokens
(good and bad, allowed and denied, with Hetzner calls behind them) is run with every log at DEBUG; then the
logs and every table of the database are searched for each token and its distinctive parts."""

from __future__ import annotations

import json as jsonlib
import logging
import time
from pathlib import Path

import httpx
import jwt
import psycopg
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric import ec

from secapi_hetzner.app import create_app
from secapi_hetzner.app.services import current
from secapi_hetzner.services.tenancy import bootstrap_admin
from secapi_hetzner.settings import JwtSettings
from secapi_hetzner.simulator.server import RunningSimulator
from secapi_hetzner.store import Database
from tests.conftest import OWN_SPEC, TENANT, DatabaseFactory, make_settings
from tests.support.servers import serve_in_thread

ISSUER, AUDIENCE = "https://idp.example", "secapi-hetzner"
HETZNER_TOKEN = "tenant-own-hetzner-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
WORKSPACE_TOKEN = "workspace-own-hetzner-token-9876543210zyxwvutsrqponmlkjihgfedcbaZYXW"
OWN_STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/leak-own/block-storages"
BASE = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/leak/block-storages"


def _secrets(token: str) -> list[str]:
    """The token and the parts of it that would identify it (a JWT's signature, an opaque token's body)."""
    parts = [token, token.removeprefix("seca_")[:20]]
    if token.count(".") == 2:
        parts.append(token.split(".")[2][:20])
    return parts


def test_no_token_is_logged_or_stored(tmp_path: Path, databases: DatabaseFactory, simulator: RunningSimulator,
                                      caplog: pytest.LogCaptureFixture) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = jsonlib.loads(jwt.algorithms.get_default_algorithms()["ES256"].to_jwk(key.public_key()))
    keys_file = tmp_path / "jwks.json"
    keys_file.write_text(jsonlib.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig"}]}))
    url = databases.fresh()
    db = Database(url, max_size=4)
    settings = make_settings(OWN_SPEC, url, simulator, secret_key=Fernet.generate_key().decode(),
                             jwt=JwtSettings(issuer=ISSUER, audience=AUDIENCE, keys_file=keys_file))
    caplog.set_level(logging.DEBUG)
    app = create_app(settings, db=db)
    services = current()
    bootstrap_admin(services.resource_service, TENANT, "admin")
    opaque = services.tokens.issue(TENANT, label="leak-test")
    outsider = services.tokens.issue(TENANT, label="leak-outsider", subject="nobody")
    services.credentials.set_token(TENANT, HETZNER_TOKEN)
    services.credentials.set_workspace_token(TENANT, "leak-own", WORKSPACE_TOKEN)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "admin", "tenant": TENANT, "exp": now + 300}
    good_jwt = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "k1"})
    expired_jwt = jwt.encode({**claims, "exp": now - 600}, key, algorithm="ES256", headers={"kid": "k1"})
    tokens = [opaque, outsider, good_jwt, expired_jwt, "seca_" + "x" * 43]
    try:
        with serve_in_thread(app) as served:
            def call(method: str, path: str, token: str, json: object = None,
                     headers: dict[str, str] | None = None) -> int:
                sent = {"Authorization": f"Bearer {token}", **(headers or {})}
                return httpx.request(method, f"{served}{path}", headers=sent, json=json, timeout=20).status_code

            assert call("PUT", f"{BASE}/leak", opaque, json={"spec": {}}) == 201
            assert call("PUT", f"{BASE}/leak", good_jwt, json={"spec": {}}) == 200
            assert call("PUT", f"{BASE}/leak", opaque, json={"spec": {}}, headers={"if-unmodified-since": "9"}) == 412
            body = {"spec": {"sizeGB": 10, "skuRef": {"resource": "skus/hetzner-volume"}}}
            assert call("PUT", f"{STORAGE}/disk", opaque, json=body) == 201  # a Hetzner volume, with her token
            services.worker.drain()
            assert call("GET", f"{STORAGE}/disk", good_jwt) == 200
            assert call("DELETE", f"{BASE}/leak", outsider) == 403
            assert call("GET", BASE, expired_jwt) == 401
            assert call("GET", BASE, tokens[-1]) == 401
            assert call("DELETE", f"{STORAGE}/disk", opaque) == 202
            assert call("PUT", f"{BASE}/leak-own", opaque, json={"spec": {}}) == 201
            assert call("PUT", f"{OWN_STORAGE}/disk", opaque, json=body) == 201  # with the workspace's token
            services.worker.drain()
            assert call("DELETE", f"{OWN_STORAGE}/disk", good_jwt) == 202
            services.worker.drain()
        logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
        assert any("hetzner" in r.name.lower() or "engine" in r.name for r in caplog.records), \
            "the Hetzner calls were not logged at DEBUG: the scan would prove nothing"
        with psycopg.connect(url) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
            stored = "\n".join(str(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
        for secret in [*(part for token in tokens for part in _secrets(token)), HETZNER_TOKEN, WORKSPACE_TOKEN]:
            assert secret not in logged, f"a token ({secret[:8]}…) is in the logs"
            assert secret not in stored, f"a token ({secret[:8]}…) is in the database"
    finally:
        db.close()
