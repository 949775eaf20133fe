"""The HTTP server under gunicorn: uvicorn's worker with limits a public JSON API needs.

* request line and headers together at most ``MAX_HEAD_BYTES`` (h11 answers 400 past it; a 200 MB header
  once took a worker from 92 to 487 MB);
* a connection must deliver a complete request head within ``HEAD_TIMEOUT_SECONDS`` of opening (or of its
  previous response): slow partial heads no longer hold connections open;
* idle keep-alive connections live ``KEEPALIVE_SECONDS``, longer than common client pools keep theirs
  (uvicorn's 5 s, less than many pools' idle time, made pooled clients fail now and then);
* no ``Server`` header.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn_worker import UvicornWorker

MAX_HEAD_BYTES = 64 * 1024
HEAD_TIMEOUT_SECONDS = float(os.environ.get("SECA_HEAD_TIMEOUT") or 10.0)
KEEPALIVE_SECONDS = 75


class HeadTimeoutH11Protocol(H11Protocol):
    """h11 that closes a connection whose request head does not arrive in time."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._expect_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self._head_timer is not None:  # a whole head arrived
            self._head_timer.cancel()
            self._head_timer = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._expect_head()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)

    def _expect_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._head_timer = self.loop.call_later(HEAD_TIMEOUT_SECONDS, self._head_timed_out)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.cycle is None or self.cycle.response_complete:  # still waiting for (the rest of) a head
            if not self.transport.is_closing():
                self.transport.close()


class SecaUvicornWorker(UvicornWorker):  # type: ignore[misc]
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "asyncio",
        "http": HeadTimeoutH11Protocol,
        "server_header": False,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }
