"""What one reconcile step reports back to the queue (kopf's classification)."""

from __future__ import annotations

from dataclasses import dataclass

RETRY_BASE_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0
MAX_ATTEMPTS_UNEXPECTED = 8


@dataclass(frozen=True)
class Outcome:
    kind: str  # done | retry | failed
    delay: float = 0.0
    reason: str = ""
    message: str = ""

    @classmethod
    def done(cls) -> Outcome:
        return cls("done")

    @classmethod
    def retry(cls, delay: float, message: str = "") -> Outcome:
        return cls("retry", delay=delay, message=message)

    @classmethod
    def failed(cls, reason: str, message: str) -> Outcome:
        return cls("failed", reason=reason, message=message)


def backoff(attempts: int, base: float = RETRY_BASE_SECONDS, cap: float = RETRY_MAX_SECONDS) -> float:
    """Exponential backoff for transient failures: base, 2·base, 4·base … capped.

    ``attempts`` counts every claim, action polls included, so it grows large while a long Hetzner
    action is followed; the exponent is bounded (2.0 ** 1024 overflows a float).
    """
    return float(min(cap, base * 2.0 ** min(max(0, attempts - 1), 64)))


def reason_from_code(code: str) -> str:
    """A Hetzner error code as a SECA condition reason: ``rate_limit_exceeded`` → ``RateLimitExceeded``."""
    return "".join(part.capitalize() for part in code.replace("-", "_").split("_") if part.isalnum()) or "Error"
