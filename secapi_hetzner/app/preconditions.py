"""``if-unmodified-since: <resourceVersion>``, read before Connexion sees it.

Connexion 3.3 validates header parameters without converting them, so the spec's integer header
would reject every value ("'1' is not of type 'integer'"). This middleware takes the header out,
checks it is an integer itself (412 on PUT/DELETE, 400 elsewhere, like other rejected input), and
hands the version to the handlers through a context variable. Any integer is valid, as the spec's schema
says; one no resource can have (beyond a PostgreSQL bigint) makes a write fail as stale (412).
"""

from __future__ import annotations

import contextvars
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from secapi_hetzner.app.problems import REJECTION_412_METHODS, send_problem

HEADER = b"if-unmodified-since"
#: an integer (the spec's type for the header): ASCII digits only ('²'.isdigit() is true)
INTEGER = re.compile(r"-?[0-9]+")
#: a resourceVersion is a PostgreSQL bigint: a longer integer is valid but names no version there can be
NEVER_A_VERSION = -(2**64)
_expected: contextvars.ContextVar[int | None] = contextvars.ContextVar("if_unmodified_since", default=None)


def expected_version() -> int | None:
    return _expected.get()


class PreconditionHeaderMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == HEADER]
        version: int | None = None
        if values:
            text = values[-1].decode("latin-1").strip()
            if not INTEGER.fullmatch(text):
                await _reject(scope, send, text)
                return
            # any integer is valid (the header's schema says no more); one beyond 19 digits (which int() might
            # also refuse to read) is a version no resource has: a write then fails as stale, with 412
            version = int(text) if len(text.lstrip("-")) <= 19 else NEVER_A_VERSION
            scope = {**scope, "headers": [(n, v) for n, v in scope["headers"] if n != HEADER]}
        token = _expected.set(version)
        try:
            await self.app(scope, receive, send)
        finally:
            _expected.reset(token)


async def _reject(scope: Scope, send: Send, text: str) -> None:
    status = 412 if scope["method"].upper() in REJECTION_412_METHODS else 400
    await send_problem(scope, send, status, f"if-unmodified-since must be an integer resourceVersion, "
                                            f"not {text[:40]!r}.",
                       parameter="if-unmodified-since", pointer="/")
