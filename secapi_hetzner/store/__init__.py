"""Persistence: PostgreSQL through psycopg 3, schema versioned by yoyo-migrations."""

from secapi_hetzner.store.db import Database, db_errors
from secapi_hetzner.store.embedded import EmbeddedPostgres, ensure_database
from secapi_hetzner.store.migrate import apply_migrations

__all__ = ["Database", "EmbeddedPostgres", "apply_migrations", "db_errors", "ensure_database"]
