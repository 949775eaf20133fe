"""The HTTP/1.1 server settings of every serving process (gunicorn's uvicorn workers and the tests).

uvicorn's defaults are unsafe for a public API: with ``httptools`` a request head has no size limit (a
single 200 MB header was accepted), nothing times out a client that sends half a head and waits, the
idle keep-alive of 5 s drops connections that client pools (60–90 s) still hold, and every answer says
``Server: uvicorn``. gunicorn's ``limit_request_*`` settings do not reach uvicorn workers, so the limits
are set here, on uvicorn's ``h11`` protocol:

* the request line and headers together ≤ :data:`MAX_HEAD_BYTES` (h11's incomplete-event limit) → 431;
* at most :data:`MAX_HEADERS` header fields → 431 (:class:`HeaderCountMiddleware`);
* a request head must be complete :data:`HEAD_TIMEOUT_SECONDS` after its first byte (or after the
  connection opened) → the connection is closed;
* an idle connection is kept :data:`KEEP_ALIVE_SECONDS` (longer than common client pools' idle time);
* no ``Server`` header.

Protocol-level refusals carry a SECA error body like every other error (``problems.error_body``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from secapi_hetzner.app.problems import ERROR_MEDIA_TYPE, error_body, send_problem

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
HEAD_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 75


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for request heads, a header count and SECA error bodies."""

    head_timeout: float = HEAD_TIMEOUT_SECONDS
    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0  # bytes of the request head read so far
    _tail = b""  # the last bytes of it (a "\r\n\r\n" may span two reads)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._between_requests() and self._head_too_long(data):
            self._cancel_head_timer()
            self._refuse(431, f"The request line and headers exceed {MAX_HEAD_BYTES} bytes.")
            return
        super().data_received(data)
        if self.transport.is_closing():
            self._cancel_head_timer()
        elif self.conn.their_state is h11.IDLE and self._between_requests():
            self._arm_head_timer()  # part of a head arrived: it must be complete in time
        else:
            self._cancel_head_timer()

    def _head_too_long(self, data: bytes) -> bool:
        """Count the head's bytes: h11's own limit only applies to a head that arrives in pieces."""
        end = (self._tail + data).find(b"\r\n\r\n")
        if end == -1:
            self._head_bytes += len(data)
            self._tail = (self._tail + data)[-3:]
            return self._head_bytes > MAX_HEAD_BYTES
        length = self._head_bytes - len(self._tail) + end + 4
        self._head_bytes, self._tail = 0, b""
        return length > MAX_HEAD_BYTES

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and self._between_requests() and not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot parse (also a head over the size limit)."""
        status = 431 if len(self.conn.trailing_data[0]) > MAX_HEAD_BYTES else 400
        detail = (f"The request line and headers exceed {MAX_HEAD_BYTES} bytes." if status == 431
                  else "The request is not valid HTTP/1.1.")
        self._refuse(status, detail)

    def _refuse(self, status: int, detail: str) -> None:
        body = json.dumps(error_body(status, detail, instance="/")).encode()
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Bad Request')}\r\n"
                f"content-type: {ERROR_MEDIA_TYPE}\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n")
        self.transport.write(head.encode("ascii") + body)
        self.transport.close()


_REASONS = {400: "Bad Request", 431: "Request Header Fields Too Large"}


def uvicorn_options(*, head_timeout: float = HEAD_TIMEOUT_SECONDS) -> dict[str, Any]:
    """The ``uvicorn.Config`` keyword arguments every serving process uses."""
    protocol = type("GuardedH11Protocol", (GuardedH11Protocol,), {"head_timeout": head_timeout}) \
        if head_timeout != HEAD_TIMEOUT_SECONDS else GuardedH11Protocol
    return {"http": protocol, "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
            "timeout_keep_alive": KEEP_ALIVE_SECONDS, "server_header": False}


class HeaderCountMiddleware:
    """431 for a request with more than :data:`MAX_HEADERS` header fields (their bytes are already capped)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["headers"]) > MAX_HEADERS:
            await send_problem(scope, send, 431, f"A request may carry at most {MAX_HEADERS} header fields, "
                                                 f"not {len(scope['headers'])}.", headers={"Connection": "close"})
            return
        await self.app(scope, receive, send)
