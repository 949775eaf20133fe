"""Drop the read-only blocks (``metadata``, ``status``) from PUT bodies before validation.

SECA clients send them: the conformance suite sends zero values (``resourceVersion: 0``,
``createdAt: 0001-01-01T00:00:00Z``), Terraform sends partial metadata, and some updates re-send a
whole object read before. The spec says the server ignores them, but schema validation would reject
the zero values. ``metadata.region`` is kept aside: a region that does not match the endpoint is a 412.
"""

from __future__ import annotations

import contextvars
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

READ_ONLY = ("metadata", "status")
MAX_BODY = 4 * 1024 * 1024
_submitted: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("submitted_metadata",
                                                                                  default=None)


def submitted_metadata() -> dict[str, Any]:
    """The ``metadata`` object the client sent with this PUT (ignored except for checks)."""
    return _submitted.get() or {}


class ReadOnlyBodyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "PUT":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False) and size <= MAX_BODY
        body = b"".join(chunks)
        metadata, body = _strip(body)
        headers = [(n, v) for n, v in scope["headers"] if n != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        token = _submitted.set(metadata)
        try:
            await self.app({**scope, "headers": headers}, replay, send)
        finally:
            _submitted.reset(token)


def _strip(body: bytes) -> tuple[dict[str, Any] | None, bytes]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, body  # let validation answer for malformed bodies
    if not isinstance(document, dict) or not any(key in document for key in READ_ONLY):
        return None, body
    metadata = document.get("metadata")
    cleaned = {key: value for key, value in document.items() if key not in READ_ONLY}
    return (metadata if isinstance(metadata, dict) else None), json.dumps(cleaned).encode()
