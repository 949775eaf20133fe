"""The Hetzner request budget shared by every process and replica: one token bucket per project in PostgreSQL.

One row per Hetzner project in ``request_budgets``, keyed by the credential's fingerprint (a sha256 of
the token; the token itself is never stored). :meth:`PostgresBudget.take` is one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` that refills the bucket to now and takes one request if
what is left stays at or above the priority's floor: a single round trip on the primary key, the only
database cost of a Hetzner call. :meth:`PostgresBudget.observe` writes only when Hetzner says fewer
requests remain than the bucket held after our take (another client of the project, or a lower limit).
The reserve a priority leaves is a share of the lower of the configured budget and Hetzner's
``RateLimit-Limit`` once seen.

It satisfies ``hetzner.budget.Budget`` structurally (store and hetzner do not import each other); the
floor rule (how much of the bucket a priority must leave) is handed in by the wiring. When the
database is unreachable it falls back to an in-memory bucket of this process, so Hetzner work goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from secapi_hetzner import errors
from secapi_hetzner.settings import HETZNER_REQUESTS_PER_HOUR
from secapi_hetzner.store.db import Database

log = logging.getLogger(__name__)

#: (priority, capacity) -> requests the priority must leave in the bucket
Floor = Callable[[int, float], float]


class PostgresBudget:
    def __init__(self, db: Database, project: str, per_hour: int, floor: Floor) -> None:
        self.db = db
        self.project = project
        self.capacity = float(per_hour)
        # Hetzner's limit (documented default until a RateLimit-Limit header says otherwise): the reserve is
        # a share of the lower of it and the configured budget
        self.limit = float(HETZNER_REQUESTS_PER_HOUR)
        self.refill_per_second = per_hour / 3600.0
        self._floor = floor
        self._seen = self.capacity  # what the bucket held after our last take
        self._local = _LocalBucket(self.capacity, self.refill_per_second)
        self._lock = threading.Lock()

    def take(self, priority: int) -> float:
        floor = self._floor(priority, min(self.capacity, self.limit))
        try:
            row = self.db.one("take_request_budget", {"project": self.project, "capacity": self.capacity,
                                                      "refill": self.refill_per_second, "floor": floor})
        except errors.Unavailable:
            log.warning("request budget: database unreachable; using this process's own bucket")
            return self._local.take(floor)
        assert row is not None
        tokens = float(row["tokens"])
        with self._lock:
            self._seen = tokens
        if row["granted"]:
            return 0.0
        if self.refill_per_second <= 0:
            return 3600.0
        return max(0.0, (floor + 1.0 - tokens) / self.refill_per_second)

    def observe(self, remaining: int, reset: float | None, limit: int | None = None) -> None:
        with self._lock:
            if limit is not None and limit > 0:
                self.limit = float(limit)
            lower = remaining + 1 < self._seen
            if lower:
                self._seen = float(remaining)
        self._local.lower(float(remaining))
        if not lower:
            return
        try:
            self.db.run("lower_request_budget", {"project": self.project, "remaining": float(max(remaining, 0))})
        except errors.Unavailable:
            log.warning("request budget: database unreachable; Hetzner's remaining count kept locally")

    @property
    def remaining(self) -> int:
        """Requests left in the shared bucket now (tests, diagnostics); does not take one."""
        row = self.db.one("request_budget_level", {"project": self.project})
        return int(row["level"]) if row is not None else int(self.capacity)


class _LocalBucket:
    """The fallback while the database is away (the same rules, this process only)."""

    def __init__(self, capacity: float, refill_per_second: float) -> None:
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self.tokens = capacity
        self.stamp = time.monotonic()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill_per_second)
        self.stamp = now

    def take(self, floor: float) -> float:
        with self._lock:
            self._refill()
            if self.tokens - 1 >= floor:
                self.tokens -= 1
                return 0.0
            return (floor + 1 - self.tokens) / self.refill_per_second if self.refill_per_second > 0 else 3600.0

    def lower(self, remaining: float) -> None:
        with self._lock:
            self._refill()
            self.tokens = min(self.tokens, remaining)
