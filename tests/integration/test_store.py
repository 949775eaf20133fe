"""The store against a real PostgreSQL: migrations, named queries, the error boundary, tokens."""

from __future__ import annotations

import pytest

from secapi_hetzner import errors
from secapi_hetzner.app.auth import TokenRegistry, hash_token
from secapi_hetzner.store import Database, apply_migrations
from secapi_hetzner.store.db import NestedConnection


def test_migrations_are_idempotent(database_url: str) -> None:
    assert apply_migrations(database_url) == 0


def test_nul_characters_become_invalid_requests(database_url: str) -> None:
    db = Database(database_url, max_size=1)
    try:
        with pytest.raises(errors.InvalidRequest):
            db.run("ensure_tenant", {"tenant": "bad\x00tenant"})
    finally:
        db.close()


def test_a_query_inside_a_transaction_on_another_connection_is_refused_at_once(database_url: str) -> None:
    """Regression: a delete check read on a second pooled connection while its transaction held the row
    lock; with ten writers of one block storage queued on that lock, each holding a connection, the pool
    ran dry and the writers answered 503 after the pool's 10 s timeout. Such a query now fails at once
    (every test that deletes a block storage, image or workspace runs the checks inside the transaction)."""
    db = Database(database_url, max_size=2)
    try:
        with db.transaction() as conn:
            assert db.one("count_workspace_children", {"tenant": "t", "workspace": "w"}, conn) is not None
            with pytest.raises(NestedConnection):
                db.one("count_workspace_children", {"tenant": "t", "workspace": "w"})
        assert db.one("count_workspace_children", {"tenant": "t", "workspace": "w"}) is not None
    finally:
        db.close()


def test_tokens_are_stored_hashed_and_rotated(database_url: str) -> None:
    db = Database(database_url, max_size=1)
    try:
        registry = TokenRegistry(db)
        first = registry.issue("dev", label="make-run", replace=True)
        second = registry.issue("dev", label="make-run", replace=True)
        stored = {row["token_hash"] for row in db.all("all_tokens")}
        assert stored == {hash_token(second)}
        assert first not in str(db.all("all_tokens")) and second not in str(db.all("all_tokens"))
        assert registry.tenant_for(second) == "dev"
        assert registry.tenant_for(first) is None
    finally:
        db.close()


def test_unreachable_database_is_unavailable() -> None:
    db = Database("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", max_size=1, timeout=1)
    try:
        assert db.ping() is False
    finally:
        db.close()
