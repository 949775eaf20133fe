"""Counts and times every request by SECA operation id (read from Connexion's routing, so the label is
one of the spec's operation ids, ``unmatched`` otherwise) and HTTP status (app/edge.py records each)."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import Scope

from secapi_hetzner import metrics


class RequestMetrics:
    def __init__(self) -> None:
        #: the metrics' children by label values (prometheus-client looks them up under a lock every time)
        self._counted: dict[tuple[str, str], Any] = {}
        self._timed: dict[str, Any] = {}

    def record(self, scope: Scope, extensions: dict[str, Any], status: int, started: float) -> None:
        """One request answered ``status``, begun at ``started`` (``time.perf_counter``). ``extensions`` is
        the request's ``scope["extensions"]``, where Connexion's routing writes the operation id."""
        routing = extensions.get("connexion_routing") or {}
        operation = str(routing.get("operation_id") or _plain(scope.get("path", "")))
        counted = self._counted.get((operation, str(status)))
        if counted is None:
            counted = self._counted[(operation, str(status))] = metrics.REQUESTS.labels(operation, str(status))
        timed = self._timed.get(operation)
        if timed is None:
            timed = self._timed[operation] = metrics.REQUEST_SECONDS.labels(operation)
        counted.inc()
        timed.observe(time.perf_counter() - started)


def _plain(path: str) -> str:
    """The service's own routes by name; everything else (unknown paths) is one label."""
    return {"/healthz": "healthz", "/readyz": "readyz"}.get(path, "unmatched")
