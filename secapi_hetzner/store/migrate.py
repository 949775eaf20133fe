"""Apply the yoyo migrations in ``migrations/`` (on start, and from ``secapi-hetzner migrate``)."""

from __future__ import annotations

import os
from pathlib import Path

from yoyo import get_backend, read_migrations

MIGRATIONS_DIR = Path(os.environ.get("SECA_MIGRATIONS_DIR") or Path(__file__).resolve().parents[2] / "migrations")


def yoyo_url(database_url: str) -> str:
    """yoyo names the psycopg 3 driver in the URL scheme."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix):]
    return database_url


def apply_migrations(database_url: str, migrations_dir: Path = MIGRATIONS_DIR) -> int:
    """Apply pending migrations; return how many were applied."""
    backend = get_backend(yoyo_url(database_url))
    try:
        migrations = read_migrations(str(migrations_dir))
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return len(pending)
    finally:
        backend.connection.close()
