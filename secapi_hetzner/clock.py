"""The service's one clock (UTC, timezone-aware). Pure."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """``2026-12-02T18:00:00.123456Z``: SECA timestamps."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
