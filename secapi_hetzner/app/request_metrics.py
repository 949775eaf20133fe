"""Counts and times every request by SECA operation id (read from Connexion's routing, so the label is
one of the spec's operation ids, ``unmatched`` otherwise) and HTTP status."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from secapi_hetzner import metrics


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            metrics.REQUESTS.labels(operation, str(status)).inc()
            metrics.REQUEST_SECONDS.labels(operation).observe(time.perf_counter() - started)


def _plain(path: str) -> str:
    """The service's own routes by name; everything else (unknown paths) is one label."""
    return {"/healthz": "healthz", "/readyz": "readyz"}.get(path, "unmatched")
