"""One PostgreSQL per test session (embedded unless TEST_DATABASE_URL is set), a migrated template
database, and a fresh clone of it per test that asks for one."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import psycopg

from secapi_hetzner.store import apply_migrations, ensure_database
from secapi_hetzner.store.embedded import EmbeddedPostgres

# per process: several test sessions (developers, CI, helpers) may share one embedded server
TEMPLATE = f"seca_template_{os.getpid()}"
_counter = itertools.count(1)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    if "?" in url:
        base, query = url.split("?", 1)
        return f"{base.rsplit('/', 1)[0]}/{name}?{query}"
    return f"{url.rsplit('/', 1)[0]}/{name}"


class DatabaseFactory:
    def __init__(self, server_url: str, embedded: EmbeddedPostgres | None) -> None:
        self.server_url = server_url
        self.embedded = embedded
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        apply_migrations(with_database(server_url, TEMPLATE))

    @classmethod
    def start(cls, url: str, data_dir: Path) -> DatabaseFactory:
        server_url, embedded = ensure_database(url, data_dir)
        return cls(server_url, embedded)

    def fresh(self) -> str:
        name = f"seca_test_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return with_database(self.server_url, name)

    def stop(self) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            names = [row[0] for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s OR datname = %s",
                (f"seca_test_{os.getpid()}_%", TEMPLATE))]
            for name in names:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if self.embedded is not None:
            self.embedded.stop()
