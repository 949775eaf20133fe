"""The request budget per Hetzner project, and a call counter.

Hetzner allows 3,600 requests per hour per project, refilled at one per second, and says how many are
left in the ``RateLimit-*`` headers of every answer. The budget is a token bucket of the same shape,
so the service slows itself down before Hetzner answers 429.

* :class:`Budget` is what the gateway needs: ``take(priority)`` before each request (0, or the seconds
  until one is available) and ``observe(remaining, reset, limit)`` with Hetzner's headers after each
  answer: the count is lowered when Hetzner says fewer requests remain than we think (never raised),
  and the reserve below is a share of the lower of the configured budget and Hetzner's ``RateLimit-Limit``.
* :class:`RequestBudget` is the in-memory bucket (one process; unit tests, gateways built without a
  database). ``store/budget.py`` has the PostgreSQL one that every process and replica shares.
* **Priorities**: :attr:`Priority.INTERACTIVE` (catalog and readiness reads on a SECA client's request
  path) may spend the whole bucket; :attr:`Priority.BACKGROUND` (workers, drift) may not take the last
  :data:`BACKGROUND_RESERVE` of it (whole requests, see :func:`reserved`), so background work can never
  starve the reads SECA clients wait for.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from enum import IntEnum
from typing import Protocol

from secapi_hetzner.settings import HETZNER_REQUESTS_PER_HOUR


class Priority(IntEnum):
    INTERACTIVE = 0
    BACKGROUND = 1


#: the share of the bucket background work may not take (kept for interactive reads)
BACKGROUND_RESERVE = 0.10


def reserved(priority: int, capacity: float) -> float:
    """How many requests of the bucket ``priority`` must leave untouched (whole requests)."""
    return float(int(capacity * BACKGROUND_RESERVE)) if priority >= Priority.BACKGROUND else 0.0


def wait_for(tokens: float, floor: float, refill_per_second: float) -> float:
    """Seconds until ``tokens`` has refilled to one request above ``floor``."""
    if refill_per_second <= 0:
        return 3600.0
    return max(0.0, (floor + 1.0 - tokens) / refill_per_second)


class Budget(Protocol):
    """A request budget for one Hetzner project."""

    def take(self, priority: int) -> float:
        """Take one request; 0 on success, else the seconds until one is available to ``priority``."""
        ...

    def observe(self, remaining: int, reset: float | None, limit: int | None = None) -> None:
        """Hetzner's ``RateLimit-Remaining``, ``-Reset`` (UNIX time) and ``-Limit`` from an answer."""
        ...


class RequestBudget:
    """An in-memory token bucket (one process): the same rules as the shared one in PostgreSQL."""

    def __init__(self, per_hour: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_hour)
        self.refill_per_second = per_hour / 3600.0
        # Hetzner's limit (documented default until a RateLimit-Limit header says otherwise): the reserve is
        # a share of the lower of it and the configured budget
        self.limit = float(HETZNER_REQUESTS_PER_HOUR)
        self._tokens = float(per_hour)
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + max(0.0, now - self._last) * self.refill_per_second)
        self._last = now

    def take(self, priority: int = Priority.INTERACTIVE) -> float:
        with self._lock:
            self._refill()
            floor = reserved(priority, min(self.capacity, self.limit))
            if self._tokens - 1.0 >= floor:
                self._tokens -= 1.0
                return 0.0
            return wait_for(self._tokens, floor, self.refill_per_second)

    def try_take(self) -> float:
        """Take one request at interactive priority (0, or the seconds to wait)."""
        return self.take(Priority.INTERACTIVE)

    def observe(self, remaining: int, reset: float | None, limit: int | None = None) -> None:
        # ``reset`` (when Hetzner's bucket is full again) adds nothing the remaining count does not say
        # at Hetzner's refill rate: after a 429 (remaining 0) the next request waits 1/refill seconds.
        with self._lock:
            self._refill()
            if limit is not None and limit > 0:
                self.limit = float(limit)
            self._tokens = min(self._tokens, float(max(remaining, 0)))

    @property
    def remaining(self) -> int:
        with self._lock:
            self._refill()
            return int(self._tokens)


class CallCounter:
    """Counts Hetzner calls by operation name (benchmarks and metrics read it)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
