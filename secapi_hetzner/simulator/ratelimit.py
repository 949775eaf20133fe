"""Per-project token buckets with Hetzner's ``RateLimit-*`` headers.

Each project starts with ``limit`` requests (default 3600) that refill at ``refill_per_second``
(default 1/s). ``RateLimit-Reset`` is the UNIX time at which the bucket would be full again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

DEFAULT_LIMIT: Final = 3600
DEFAULT_REFILL: Final = 1.0


@dataclass
class Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        refill_per_second: float = DEFAULT_REFILL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._buckets: dict[str, Bucket] = {}
        self.configure(limit, refill_per_second)

    def configure(self, limit: int, refill_per_second: float) -> None:
        """Set the limit and refill rate; every project starts over with a full bucket."""
        if limit < 1 or refill_per_second < 0:
            raise ValueError("limit must be >= 1 and refill_per_second >= 0")
        self.limit = limit
        self.refill = refill_per_second
        self._buckets.clear()

    def take(self, token: str) -> tuple[bool, dict[str, str]]:
        """Spend one request for ``token``; (allowed, headers to send)."""
        now = self._clock()
        bucket = self._buckets.setdefault(token, Bucket(float(self.limit), now))
        bucket.tokens = min(float(self.limit), bucket.tokens + (now - bucket.stamp) * self.refill)
        bucket.stamp = now
        allowed = bucket.tokens >= 1
        if allowed:
            bucket.tokens -= 1
        missing = self.limit - bucket.tokens
        reset = now + missing / self.refill if self.refill > 0 else now + 3600
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(int(bucket.tokens)),
            "RateLimit-Reset": str(math.ceil(reset)),
        }
        return allowed, headers

    def reset(self) -> None:
        self._buckets.clear()
