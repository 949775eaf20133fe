"""Reads on the event loop: an asyncio connection pool for the serving process's GETs and lists.

The thread pool's :class:`~secapi_hetzner.store.db.Database` stays the one way to write. This pool only
reads, with the same named queries, the same JSON decoder, the same error boundary and the same statement
counter (the SQL-count tests see both). It belongs to one event loop: it is opened on the serving loop
(the app's lifespan, or the first read there) and a read asked on another loop is told so
(:meth:`AsyncReads.usable`) and taken by the thread pool instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, NamedTuple, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

from secapi_hetzner import errors, jsoncodec
from secapi_hetzner.settings import DB_TIMEOUT_SECONDS
from secapi_hetzner.store.db import QUERIES, Database, Row, db_errors
from secapi_hetzner.store.repository import Key

T = TypeVar("T")

#: connections of the read pool per serving process (a read holds one for a single statement), all opened
#: with the pool: it never grows while serving
READ_POOL_SIZE = 4


#: single GETs stamped by one statement at most (more wait for the next one)
STAMP_BATCH = 64


class _Asked(NamedTuple):
    key: Key
    children: bool
    targets: str  # the kinds whose names' digest is asked, comma-separated ('' for none)
    answer: asyncio.Future[Row]


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    set_json_loads(jsoncodec.decode, conn)
    # One plan per statement, made without the parameters' values and kept: PostgreSQL's own choice planned a
    # page's statement again on every run (1.5 ms of planning it then weighs against a cheaper run; measured
    # 420-540 us of database CPU a page instead of 190-220). These statements are written so that the plan
    # made without values holds (tests/integration/test_query_plans.py plans them every way).
    await conn.execute("SET plan_cache_mode = force_generic_plan")


class AsyncReads:
    def __init__(self, db: Database, *, size: int = READ_POOL_SIZE, timeout: float = DB_TIMEOUT_SECONDS) -> None:
        self.db = db
        self.size = size
        self.timeout = timeout
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Row]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._asked: list[_Asked] = []
        self._stamper: asyncio.Task[None] | None = None

    def usable(self) -> bool:
        """May this loop read here? (No pool yet, or one opened on this very loop.)"""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        return self._loop is None or (self._loop is loop and not loop.is_closed())

    async def open(self) -> None:
        if self._pool is not None:
            return
        self._loop = asyncio.get_running_loop()
        pool: AsyncConnectionPool[psycopg.AsyncConnection[Row]] = AsyncConnectionPool(
            self.db.url, min_size=self.size, max_size=self.size, open=False, timeout=self.timeout,
            kwargs={"row_factory": dict_row, "autocommit": True}, configure=_configure)
        self._pool = pool
        await pool.open()

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @contextlib.asynccontextmanager
    async def _connection(self, name: str) -> AsyncIterator[psycopg.AsyncConnection[Row]]:
        """A pooled connection for statement ``name`` (counted), its errors translated where they enter."""
        self.db.executed[name] += 1
        if self._pool is None:
            await self.open()
        assert self._pool is not None
        with db_errors():
            async with self._pool.connection() as conn:
                yield conn

    async def all(self, name: str, params: dict[str, Any]) -> list[Row]:
        async with self._connection(name) as conn:
            return await (await conn.execute(QUERIES[name], params)).fetchall()

    async def all_made(self, name: str, params: dict[str, Any], make: Callable[[Sequence[Any]], T]) -> list[T]:
        """The rows of ``name``, each made by ``make`` from its values in column order (no dict per row)."""
        async with self._connection(name) as conn:
            cursor = conn.cursor(row_factory=lambda _cursor: make)
            return await (await cursor.execute(QUERIES[name], params)).fetchall()

    async def one(self, name: str, params: dict[str, Any]) -> Row | None:
        rows = await self.all(name, params)
        return rows[0] if rows else None

    async def run(self, name: str, params: dict[str, Any] | None = None) -> int:
        async with self._connection(name) as conn:
            return (await conn.execute(QUERIES[name], params or {})).rowcount

    # -- single GETs, stamped together --------------------------------------------------------------

    async def stamp(self, key: Key, children: bool, targets: str = "") -> Row:
        """The ``stamp_resource`` row of ``key``. Single GETs asked at the same time share one statement:
        while one runs, the keys asked meanwhile wait and go together in the next (as a group commit does for
        writes), so a busy process spends one round trip on many reads."""
        answer: asyncio.Future[Row] = asyncio.get_running_loop().create_future()
        self._asked.append(_Asked(key, children, targets, answer))
        if self._stamper is None or self._stamper.done():
            self._stamper = asyncio.get_running_loop().create_task(self._stamp_all())
        return await answer

    async def _stamp_all(self) -> None:
        while self._asked:
            batch, self._asked = self._asked[:STAMP_BATCH], self._asked[STAMP_BATCH:]
            try:
                await self._stamp(batch)
            except BaseException as exc:  # noqa: BLE001 - every asker is answered, whatever happened
                for asked in batch:
                    if not asked.answer.done():
                        asked.answer.set_exception(exc if isinstance(exc, Exception) else errors.Unavailable(
                            "The read was interrupted; retry."))
                if not isinstance(exc, Exception):
                    raise

    async def _stamp(self, batch: list[_Asked]) -> None:
        """One statement for ``batch``; the same key asked several times (clients polling one resource) is
        looked up once and its row answers every asker."""
        askers: dict[tuple[Key, bool, str], list[_Asked]] = {}
        for asked in batch:
            askers.setdefault((asked.key, asked.children, asked.targets), []).append(asked)
        keys = [{"i": i, **key.params(), "children": children, "targets": targets}
                for i, (key, children, targets) in enumerate(askers)]
        params = {"keys": jsoncodec.encode(keys).decode()}  # one parameter: cheaper to send than six arrays
        try:
            rows = await self.all("stamp_resource", params)
        except errors.InvalidRequest:  # (a database that is away fails every asker at once, in _stamp_all)
            if len(askers) == 1:
                raise
            for same in askers.values():  # one key the database refuses (a NUL in a name): each its own answer
                try:
                    await self._stamp(same)
                except errors.InvalidRequest as alone:
                    for asked in same:
                        if not asked.answer.done():
                            asked.answer.set_exception(alone)
            return
        for same, row in zip(askers.values(), rows, strict=True):
            for asked in same:
                if not asked.answer.done():  # (the asker may have gone: a client that hung up)
                    asked.answer.set_result(row)
