"""Counts and times every request by SECA operation id (read from Connexion's routing, so the label is
one of the spec's operation ids, ``unmatched`` otherwise) and HTTP status."""

from __future__ import annotations

import os
import random
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from secapi_hetzner import metrics

#: a private generator seeded from the OS once per process (and again in every forked child, so two workers never
#: share a sequence): a request id is a correlation handle, not a secret
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)
_VERSION_4 = (0x4 << 76) | (0x2 << 62)
_NOT_VERSION_BITS = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)


def new_request_id() -> str:
    """A random request id in the form asgi-correlation-id makes (a version-4 UUID's 32 hex digits), without a
    read of the OS's entropy per request (measured at several microseconds a request here)."""
    return f"{(_ids.getrandbits(128) & _NOT_VERSION_BITS) | _VERSION_4:032x}"


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: the metrics' children by label values (prometheus-client looks them up under a lock every time)
        self._counted: dict[tuple[str, str], Any] = {}
        self._timed: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # inner middlewares copy the scope, but the copies share this dict: Connexion's routing writes the
        # operation id into it
        extensions = scope.setdefault("extensions", {})

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
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
