"""A process's copy of each tenant's roles and role assignments, read again at least once a second.

Every authorised request decides with its tenant's rules. Reading them for each request would put a query
on every request, so a process keeps what it read, keyed by (database, tenant), and uses it for at most
``fresh_for`` seconds: a change made through another replica is seen within that time, one made through
this process at once (:meth:`TenantRules.changed` drops the copy).

Two ways to read, one copy:

- :meth:`TenantRules.read` (a request already in a worker thread): a stale copy is read again there.
- :meth:`TenantRules.read_on_loop` (a read handler on the event loop): a copy older than ``renew_after``
  is read again in the background while the requests go on deciding with it, so a busy tenant's reads
  never wait for their rules; only a copy older than ``fresh_for`` (an idle tenant) is waited for. Either
  way one read runs at a time per key and loop, and every request that needs it waits for that one. Before
  this, every request in flight when the copy went stale read the rules itself from a worker thread, each
  waiting for the interpreter lock behind the busy event loop: once a second, all of them stalled for
  30-650 ms (bench/reads.py's p99).

A read that began before a change made through this process is not kept (it may predate the change).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from secapi_hetzner.authz import Rules

log = logging.getLogger(__name__)

#: how long a process decides with a tenant's rules before reading them again
FRESH_SECONDS = 1.0
#: from this age on, a read on the event loop has the rules read again in the background
RENEW_SECONDS = 0.5

Key = tuple[str, str]  # (database url, tenant)
Row = dict[str, Any]


def rules_from(rows: Iterable[Row]) -> Rules:
    """Rules from the ``access_rules`` rows (roles and role assignments)."""
    listed = list(rows)
    return Rules.from_specs(((r["name"], r["spec"]) for r in listed if r["kind"] == "role"),
                            (r["spec"] for r in listed if r["kind"] == "role-assignment"))


class TenantRules:
    def __init__(self, *, fresh_for: float = FRESH_SECONDS, renew_after: float = RENEW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.fresh_for = fresh_for
        self.renew_after = renew_after
        self._clock = clock
        self._kept: dict[Key, tuple[float, Rules]] = {}  # key -> (when its read began, rules)
        self._changes: dict[Key, int] = {}
        self._lock = threading.Lock()
        self._reading: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Key, asyncio.Task[Rules]]] = \
            weakref.WeakKeyDictionary()

    def changed(self, key: Key) -> None:
        """A role or an assignment of the tenant was written through this process: its copy goes, and a read
        under way is not kept."""
        with self._lock:
            self._kept.pop(key, None)
            self._changes[key] = self._changes.get(key, 0) + 1

    def fresh(self, key: Key) -> Rules | None:
        """The kept rules while younger than ``fresh_for``, else None (no query)."""
        kept = self._age(key)
        return kept[1] if kept is not None and kept[0] < self.fresh_for else None

    def read(self, key: Key, rows: Callable[[], Iterable[Row]]) -> Rules:
        """The tenant's rules, read now by ``rows()`` (in this thread) unless the kept ones are fresh."""
        kept = self.fresh(key)
        if kept is not None:
            return kept
        started, seen = self._begin(key)
        return self._keep(key, started, seen, rules_from(rows()))

    async def read_on_loop(self, key: Key, rows: Callable[[], Awaitable[Iterable[Row]]]) -> Rules:
        """The tenant's rules for a request on the event loop: the kept ones while fresh (renewed in the
        background once older than ``renew_after``), else those of the one read under way, or started now."""
        kept = self._age(key)
        if kept is not None and kept[0] < self.fresh_for:
            if kept[0] >= self.renew_after:
                self._task(key, rows)  # not awaited: the requests go on meanwhile
            return kept[1]
        return await asyncio.shield(self._task(key, rows))  # a request that goes away leaves the read to the rest

    def _age(self, key: Key) -> tuple[float, Rules] | None:
        with self._lock:
            kept = self._kept.get(key)
        return (self._clock() - kept[0], kept[1]) if kept is not None else None

    def _task(self, key: Key, rows: Callable[[], Awaitable[Iterable[Row]]]) -> asyncio.Task[Rules]:
        """The read of ``key`` under way on this loop, or a new one."""
        loop = asyncio.get_running_loop()
        reading = self._reading.setdefault(loop, {})
        task = reading.get(key)
        if task is None:
            task = reading[key] = loop.create_task(self._read_on_loop(key, rows))
            task.add_done_callback(lambda done: self._finished(reading, key, done))
        return task

    async def _read_on_loop(self, key: Key, rows: Callable[[], Awaitable[Iterable[Row]]]) -> Rules:
        started, seen = self._begin(key)
        return self._keep(key, started, seen, rules_from(await rows()))

    @staticmethod
    def _finished(reading: dict[Key, asyncio.Task[Rules]], key: Key, task: asyncio.Task[Rules]) -> None:
        if reading.get(key) is task:
            del reading[key]
        if not task.cancelled() and task.exception() is not None:  # retrieved: a background renewal's failure
            log.warning("access rules of tenant %r could not be read: %s", key[1], task.exception())

    def _begin(self, key: Key) -> tuple[float, int]:
        with self._lock:  # a change made through this process from now on keeps what the read returns out
            return self._clock(), self._changes.get(key, 0)

    def _keep(self, key: Key, started: float, seen: int, rules: Rules) -> Rules:
        with self._lock:
            kept = self._kept.get(key)
            if self._changes.get(key, 0) == seen and (kept is None or kept[0] <= started):
                self._kept[key] = (started, rules)
        return rules
