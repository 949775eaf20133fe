"""What one reconcile step reports back to the queue (kopf's classification)."""

from __future__ import annotations

from dataclasses import dataclass

RETRY_BASE_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0
#: failures an operation survives: transient Hetzner errors and not-founds (about 8 minutes of backoff
#: from a 1 s base), unexpected errors (bugs, the database away) fewer. Then it ends in ``error``.
MAX_FAILURES = 12
MAX_ATTEMPTS_UNEXPECTED = 8


@dataclass(frozen=True)
class Outcome:
    kind: str  # done | retry | failed
    delay: float = 0.0
    reason: str = ""
    message: str = ""
    #: a retry after a failure (counted, backed off, explained on the resource), not a wait for an action
    failure: bool = False

    @classmethod
    def done(cls) -> Outcome:
        return cls("done")

    @classmethod
    def retry(cls, delay: float, message: str = "") -> Outcome:
        return cls("retry", delay=delay, message=message)

    @classmethod
    def retry_after_failure(cls, delay: float, reason: str, message: str) -> Outcome:
        return cls("retry", delay=delay, reason=reason, message=message, failure=True)

    @classmethod
    def failed(cls, reason: str, message: str) -> Outcome:
        return cls("failed", reason=reason, message=message)


def backoff(attempts: int, base: float = RETRY_BASE_SECONDS, cap: float = RETRY_MAX_SECONDS) -> float:
    """Exponential backoff for transient failures: base, 2·base, 4·base … capped. ``attempts`` is the
    number of the failure (1 for the first); the exponent is bounded (2.0 ** 1024 overflows a float)."""
    return float(min(cap, base * 2.0 ** min(max(0, attempts - 1), 64)))


#: HTTP statuses Hetzner (or a proxy before it) answers without an error code, by name
STATUS_REASONS = {"408": "Timeout", "409": "Conflict", "423": "Locked", "425": "TooEarly", "429": "RateLimitExceeded",
                  "500": "ServerError", "502": "BadGateway", "503": "Unavailable", "504": "GatewayTimeout"}


def reason_from_code(code: str) -> str:
    """A Hetzner error code as a SECA condition reason (a letter first, letters and digits after):
    ``rate_limit_exceeded`` → ``RateLimitExceeded``, a bare ``429`` → ``RateLimitExceeded``."""
    if code.isdigit():
        return STATUS_REASONS.get(code, f"Http{code}")
    reason = "".join(part.capitalize() for part in code.replace("-", "_").split("_") if part.isalnum())
    return reason if reason[:1].isalpha() else "Error"
