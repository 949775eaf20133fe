"""Conditional reads: every successful GET carries an ``ETag`` (a hash of the exact bytes of the answer, so
it changes whenever anything a client would see changes, computed status fields included), and a GET whose
``If-None-Match`` names the current tag is answered ``304 Not Modified`` without a body. An answer that
already carries its tag (a pre-rendered catalog page: the same hash, computed once) is not hashed again."""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: headers a 304 keeps (RFC 9110 §15.4.5); the body's own headers go
KEPT_ON_304 = {b"etag", b"cache-control", b"vary", b"x-request-id", b"date", b"expires", b"content-location"}


def tag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``*`` or any listed tag equal to ``tag`` ignoring ``W/``."""
    wanted = tag.removeprefix("W/")
    return any(item.strip() == "*" or item.strip().removeprefix("W/") == wanted for item in if_none_match.split(","))


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":  # (HEAD bodies are empty: no tag of theirs)
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def holding(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body" and start is not None and start["status"] == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._answer(scope, start, b"".join(chunks), send)
                return
            if start is not None:  # not a 200: passed on as it is
                await send(start)
                start = None
            await send(message)

        await self.app(scope, receive, holding)

    @staticmethod
    async def _answer(scope: Scope, start: Message, body: bytes, send: Send) -> None:
        headers = list(start.get("headers", []))
        given = next((v for k, v in headers if k.lower() == b"etag"), None)
        if given is not None:  # a pre-rendered answer (app/rendered.py) brings the tag of its bytes
            tag = given.decode("latin-1")
        else:
            tag = tag_of(body)
            headers.append((b"etag", tag.encode()))
        request = dict(scope.get("headers") or [])
        if_none_match = request.get(b"if-none-match", b"").decode("latin-1")
        if if_none_match and matches(if_none_match, tag):
            kept = [(k, v) for k, v in headers if k.lower() in KEPT_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
