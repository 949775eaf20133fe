"""Reads on the event loop: an asyncio connection pool for the serving process's GETs and lists.

The thread pool's :class:`~secapi_hetzner.store.db.Database` stays the one way to write. This pool only
reads, with the same named queries, the same JSON decoder, the same error boundary and the same statement
counter (the SQL-count tests see both). It belongs to one event loop: it is opened on the serving loop
(the app's lifespan, or the first read there) and a read asked on another loop is told so
(:meth:`AsyncReads.usable`) and taken by the thread pool instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

from secapi_hetzner import jsoncodec
from secapi_hetzner.settings import DB_TIMEOUT_SECONDS
from secapi_hetzner.store.db import QUERIES, Database, Row, db_errors

#: connections of the read pool per serving process (a read holds one for a single statement), all opened
#: with the pool: it never grows while serving
READ_POOL_SIZE = 4


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    set_json_loads(jsoncodec.decode, conn)


class AsyncReads:
    def __init__(self, db: Database, *, size: int = READ_POOL_SIZE, timeout: float = DB_TIMEOUT_SECONDS) -> None:
        self.db = db
        self.size = size
        self.timeout = timeout
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Row]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

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

    async def all(self, name: str, params: dict[str, Any]) -> list[Row]:
        self.db.executed[name] += 1
        if self._pool is None:
            await self.open()
        assert self._pool is not None
        with db_errors():
            async with self._pool.connection() as conn:
                cursor = await conn.execute(QUERIES[name], params)
                return await cursor.fetchall()

    async def one(self, name: str, params: dict[str, Any]) -> Row | None:
        rows = await self.all(name, params)
        return rows[0] if rows else None

    async def run(self, name: str, params: dict[str, Any] | None = None) -> int:
        self.db.executed[name] += 1
        if self._pool is None:
            await self.open()
        assert self._pool is not None
        with db_errors():
            async with self._pool.connection() as conn:
                return (await conn.execute(QUERIES[name], params or {})).rowcount
