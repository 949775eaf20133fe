"""A client-side request budget per Hetzner project, and a call counter.

Hetzner allows 3,600 requests per hour per project, refilled at one per second. The budget is a
token bucket with the same shape, so the service slows itself down before Hetzner answers 429.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable


class RequestBudget:
    def __init__(self, per_hour: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_hour)
        self.refill_per_second = per_hour / 3600.0
        self._tokens = float(per_hour)
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.refill_per_second)
        self._last = now

    def try_take(self) -> float:
        """Take one request; return 0 on success, else the seconds until one is available."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.refill_per_second

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
