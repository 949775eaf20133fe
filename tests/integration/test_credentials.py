"""Tenant Hetzner credentials: encrypted at rest, used for the tenant's objects, never shown."""

from __future__ import annotations

from pathlib import Path

from secapi_hetzner.store import Database
from secapi_hetzner.store.credentials import Credentials, load_key


def test_tenant_token_is_encrypted_at_rest_and_used(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url, max_size=1)
    try:
        key = load_key("", tmp_path)
        assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
        credentials = Credentials(db, key, operator_token="operator", simulated=False)
        assert credentials.token_for("acme") == "operator"  # no own project: the operator's
        credentials.set_token("acme", "hetzner-secret-token")
        stored = db.all_sql("SELECT name, hetzner_token_enc FROM tenants")
        assert stored and b"hetzner-secret-token" not in bytes(stored[0]["hetzner_token_enc"])
        fresh = Credentials(db, load_key("", tmp_path), operator_token="operator", simulated=False)
        assert fresh.token_for("acme") == "hetzner-secret-token"
        assert "hetzner-secret-token" not in repr(fresh)
    finally:
        db.close()


def test_simulated_tenants_get_separate_projects(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url, max_size=1)
    try:
        credentials = Credentials(db, load_key("", tmp_path), operator_token="", simulated=True)
        assert credentials.token_for("a") != credentials.token_for("b")
    finally:
        db.close()
