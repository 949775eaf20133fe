"""Counting Hetzner calls per project and per ``METHOD /route/{template}``, for tests and benchmarks."""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

UNMATCHED: Final = "<unmatched>"


class RequestCounter:
    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, token: str, method: str, template: str) -> None:
        self._counts[(token, f"{method} {template}")] += 1

    def snapshot(self, token: str | None = None) -> dict[str, Any]:
        """``{"total", "by_route", "by_project": {token: {"total", "by_route"}}}``, or one project's."""
        by_project: dict[str, dict[str, Any]] = {}
        by_route: Counter[str] = Counter()
        for (owner, route), count in sorted(self._counts.items()):
            if token is not None and owner != token:
                continue
            entry = by_project.setdefault(owner, {"total": 0, "by_route": {}})
            entry["total"] += count
            entry["by_route"][route] = count
            by_route[route] += count
        return {"total": sum(by_route.values()), "by_route": dict(by_route), "by_project": by_project}

    def reset(self) -> None:
        self._counts.clear()
