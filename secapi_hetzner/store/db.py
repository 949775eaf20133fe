"""The database handle: a psycopg 3 pool, named queries from ``queries.sql``, one error boundary."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from secapi_hetzner import errors, jsoncodec
from secapi_hetzner.settings import DB_POOL_MAX, DB_POOL_MIN, DB_TIMEOUT_SECONDS

QUERIES_FILE = Path(__file__).with_name("queries.sql")
Row = dict[str, Any]
Conn = psycopg.Connection[Row]


def parse_queries(text: str) -> dict[str, str]:
    """``-- name --`` headers, a description comment line, then the statement."""
    queries: dict[str, str] = {}
    for match in re.finditer(r"^-- (\w+) --\n(.*?)(?=^-- \w+ --\n|\Z)", text, re.S | re.M):
        body = "\n".join(line for line in match.group(2).splitlines() if not line.startswith("--"))
        queries[match.group(1)] = body.strip()
    return queries


QUERIES = parse_queries(QUERIES_FILE.read_text())


@contextmanager
def db_errors() -> Iterator[None]:
    """Translate psycopg failures into the service's errors where they enter."""
    try:
        yield
    except psycopg.errors.UntranslatableCharacter as exc:
        raise errors.InvalidRequest("The request contains a character the service cannot store "
                                    "(such as U+0000).") from exc
    except psycopg.DataError as exc:  # SQLSTATE class 22, and psycopg's own NUL check
        raise errors.InvalidRequest("The request contains a value the service cannot store "
                                    "(such as U+0000 or an out-of-range number).") from exc
    except PoolTimeout as exc:
        raise errors.Unavailable("Every database connection of this process is busy; retry shortly.") from exc
    except psycopg.OperationalError as exc:
        raise errors.Unavailable("The database is not reachable right now.") from exc


def _configure(conn: psycopg.Connection[Any]) -> None:
    """JSON and JSONB columns are read by the service's one JSON decoder (exact, and faster)."""
    set_json_loads(jsoncodec.decode, conn)


class NestedConnection(RuntimeError):
    """Code inside a transaction asked the pool for a second connection (a programming error)."""


class Database:
    """A connection pool plus named-query helpers. One per process.

    Code inside :meth:`transaction` must run its queries on that transaction's connection: a second
    connection taken while the first holds row locks starves the pool as soon as as many writers of
    one resource as the pool has connections wait for the lock, each holding a connection (seen as
    503s after the pool timeout). Asking for one raises :class:`NestedConnection` at once instead.
    """

    def __init__(self, url: str, *, min_size: int = DB_POOL_MIN, max_size: int = DB_POOL_MAX,
                 timeout: float = DB_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, open=True, timeout=timeout,
            kwargs={"row_factory": dict_row, "autocommit": True}, configure=_configure,
        )
        self._in_transaction = threading.local()
        #: named statements run, by name (the SQL-count tests read it: a list costs the same for any page size)
        self.executed: Counter[str] = Counter()

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection[Row]]:
        """A pooled connection; ``timeout``: how long to wait for one (default: the pool's)."""
        if getattr(self._in_transaction, "active", False):
            raise NestedConnection("a query inside a transaction must use the transaction's connection")
        with db_errors(), self.pool.connection(timeout=timeout) as conn:
            yield cast("psycopg.Connection[Row]", conn)

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Row]]:
        with self.connection() as conn, conn.transaction():
            self._in_transaction.active = True
            try:
                yield conn
            finally:
                self._in_transaction.active = False

    def all(self, name: str, params: dict[str, Any] | None = None,
            conn: psycopg.Connection[Row] | None = None, *, timeout: float | None = None) -> list[Row]:
        self.executed[name] += 1
        if conn is not None:
            with db_errors():
                return conn.execute(QUERIES[name], params or {}).fetchall()
        with self.connection(timeout) as own:
            return own.execute(QUERIES[name], params or {}).fetchall()

    def one(self, name: str, params: dict[str, Any] | None = None,
            conn: psycopg.Connection[Row] | None = None, *, timeout: float | None = None) -> Row | None:
        rows = self.all(name, params, conn, timeout=timeout)
        return rows[0] if rows else None

    def run(self, name: str, params: dict[str, Any] | None = None,
            conn: psycopg.Connection[Row] | None = None) -> int:
        self.executed[name] += 1
        if conn is not None:
            with db_errors():
                return conn.execute(QUERIES[name], params or {}).rowcount
        with self.connection() as own:
            return own.execute(QUERIES[name], params or {}).rowcount

    def all_sql(self, statement: str) -> list[Row]:
        """An ad-hoc read-only statement (tests and the operator's diagnostics; never with user input)."""
        with self.connection() as conn:
            return conn.execute(statement).fetchall()

    def ping(self) -> bool:
        try:
            self.one("ping")
        except errors.Unavailable:
            return False
        return True
