"""Conditional reads: every successful GET carries an ``ETag`` (a hash of the exact bytes of the answer, so
it changes whenever anything a client would see changes, computed status fields included), and a GET whose
``If-None-Match`` names the current tag is answered ``304 Not Modified`` without a body. An answer that
already carries its tag (a pre-rendered catalog page: the same hash, computed once) is not hashed again.
Applied by app/edge.py to every GET answered 200 (HEAD bodies are empty: no tag of theirs)."""

from __future__ import annotations

import hashlib

from starlette.types import Message, Scope

#: headers a 304 keeps (RFC 9110 §15.4.5); the body's own headers go
KEPT_ON_304 = {b"etag", b"cache-control", b"vary", b"x-request-id", b"date", b"expires", b"content-location"}


def tag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``*`` or any listed tag equal to ``tag`` ignoring ``W/``."""
    wanted = tag.removeprefix("W/")
    return any(item.strip() == "*" or item.strip().removeprefix("W/") == wanted for item in if_none_match.split(","))


def conditional(scope: Scope, start: Message, body: bytes) -> tuple[Message, bytes]:
    """The answer to send for a GET answered 200 with ``start`` and ``body``: tagged, or 304 (no body) when the
    request's ``If-None-Match`` names the tag."""
    headers = list(start.get("headers", []))
    given = next((v for k, v in headers if k.lower() == b"etag"), None)
    if given is not None:  # a pre-rendered answer (app/rendered.py) brings the tag of its bytes
        tag = given.decode("latin-1")
    else:
        tag = tag_of(body)
        headers.append((b"etag", tag.encode()))
    if_none_match = next((v for k, v in reversed(scope.get("headers") or []) if k == b"if-none-match"), b"")
    if if_none_match and matches(if_none_match.decode("latin-1"), tag):
        kept = [(k, v) for k, v in headers if k.lower() in KEPT_ON_304]
        return {"type": "http.response.start", "status": 304, "headers": kept}, b""
    return {**start, "headers": headers}, body
