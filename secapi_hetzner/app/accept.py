"""Treat a wildcard ``Accept`` as ``application/json``.

The spec enumerates the list operations' ``Accept`` values; common HTTP clients (curl, browsers,
requests) send ``*/*`` by default, which would otherwise be rejected with 400. Only pure wildcards
are rewritten; any other value is validated against the spec as usual.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

WILDCARDS = {b"*/*", b"application/*"}


class AcceptWildcardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(name, b"application/json" if name == b"accept" and value.strip() in WILDCARDS else value)
                       for name, value in scope["headers"]]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)
