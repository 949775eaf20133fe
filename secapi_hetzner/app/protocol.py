"""The HTTP/1.1 server settings of every serving process (gunicorn's uvicorn workers and the tests).

uvicorn's defaults are unsafe for a public API: with ``httptools`` a request head has no size limit (a
single 200 MB header was accepted), nothing times out a client that sends half a head and waits, the
idle keep-alive of 5 s drops connections that client pools (60–90 s) still hold, and every answer says
``Server: uvicorn``. gunicorn's ``limit_request_*`` settings do not reach uvicorn workers, so the limits
are set here, on uvicorn's protocol (``httptools``, its fastest parser and the default; ``h11`` with
``SECA_HTTP_PARSER=h11``), by :class:`HeadGuard`:

* the request line and headers together ≤ :data:`MAX_HEAD_BYTES`, counted as they arrive → 431;
* at most :data:`MAX_HEADERS` header fields → 431 (:func:`check_header_count`);
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
from starlette.types import Scope
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from secapi_hetzner.app.problems import ERROR_MEDIA_TYPE, Refused, error_body

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
HEAD_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 75


class HeadGuard:
    """What both protocols add to uvicorn's: a deadline for request heads, a byte count of heads, SECA error
    bodies. Mixed in before a uvicorn HTTP protocol class, which provides ``transport``, ``loop`` and
    ``cycle``."""

    head_timeout: float = HEAD_TIMEOUT_SECONDS
    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0  # bytes of the request head read so far
    _tail = b""  # the last bytes of it (a "\r\n\r\n" may span two reads)
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head() and self._head_too_long(data):
            self._cancel_head_timer()
            self._refuse(431, f"The request line and headers exceed {MAX_HEAD_BYTES} bytes.")
            return
        super().data_received(data)  # type: ignore[misc]
        if self.transport.is_closing():
            self._cancel_head_timer()
        elif self._awaiting_head():
            self._arm_head_timer()  # part of a head arrived: it must be complete in time
        else:
            self._cancel_head_timer()

    def _awaiting_head(self) -> bool:
        """No request is being read or answered: what arrives is (part of) the next request's head."""
        return self.cycle is None or bool(self.cycle.response_complete)

    def _head_too_long(self, data: bytes) -> bool:
        """Count the head's bytes (h11's own limit only applies to a head that arrives in pieces;
        httptools has none)."""
        end = (self._tail + data).find(b"\r\n\r\n")
        if end == -1:
            self._head_bytes += len(data)
            self._tail = (self._tail + data)[-3:]
            return self._head_bytes > MAX_HEAD_BYTES
        length = self._head_bytes - len(self._tail) + end + 4
        self._head_bytes, self._tail = 0, b""
        return length > MAX_HEAD_BYTES

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._awaiting_head() and not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, status: int, detail: str) -> None:
        body = json.dumps(error_body(status, detail, instance="/")).encode()
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Bad Request')}\r\n"
                f"content-type: {ERROR_MEDIA_TYPE}\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n")
        self.transport.write(head.encode("ascii") + body)
        self.transport.close()


class GuardedHttpToolsProtocol(HeadGuard, HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's httptools protocol (the faster parser; what uvicorn picks by default), guarded. It has no
    head size limit of its own: the byte count is the limit."""

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request httptools cannot parse."""
        self._refuse(400, "The request is not valid HTTP/1.1.")


class GuardedH11Protocol(HeadGuard, H11Protocol):  # type: ignore[misc]
    """uvicorn's pure-Python h11 protocol, guarded (``SECA_HTTP_PARSER=h11``)."""

    def _awaiting_head(self) -> bool:
        return self.conn.their_state is h11.IDLE and super()._awaiting_head()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot parse (also a head over h11's size limit)."""
        status = 431 if len(self.conn.trailing_data[0]) > MAX_HEAD_BYTES else 400
        detail = (f"The request line and headers exceed {MAX_HEAD_BYTES} bytes." if status == 431
                  else "The request is not valid HTTP/1.1.")
        self._refuse(status, detail)


_REASONS = {400: "Bad Request", 431: "Request Header Fields Too Large"}
#: ``SECA_HTTP_PARSER``: the request parser (httptools, the default, or h11)
PROTOCOLS: dict[str, type[HeadGuard]] = {"httptools": GuardedHttpToolsProtocol, "h11": GuardedH11Protocol}


def uvicorn_options(*, head_timeout: float = HEAD_TIMEOUT_SECONDS, parser: str = "httptools") -> dict[str, Any]:
    """The ``uvicorn.Config`` keyword arguments every serving process uses."""
    guarded = PROTOCOLS[parser]
    protocol = type(guarded.__name__, (guarded,), {"head_timeout": head_timeout}) \
        if head_timeout != HEAD_TIMEOUT_SECONDS else guarded
    return {"http": protocol, "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
            "timeout_keep_alive": KEEP_ALIVE_SECONDS, "server_header": False}


def check_header_count(scope: Scope) -> None:
    """431 (the connection then closes) for a request with more than :data:`MAX_HEADERS` header fields (their
    bytes are already capped)."""
    if len(scope["headers"]) > MAX_HEADERS:
        raise Refused(431, f"A request may carry at most {MAX_HEADERS} header fields, not {len(scope['headers'])}.",
                      headers={"Connection": "close"})
