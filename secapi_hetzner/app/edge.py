"""The service's own handling of every request around Connexion, in two ASGI layers.

Each concern lives in its own module as plain functions; this module only fixes their order. They were one
ASGI middleware each (ten, with asgi-correlation-id's), and a middleware is a coroutine frame every request
enters and leaves and, each time it waits for the database, is suspended and resumed through. Ten frames
cost a resource GET about a sixth of its time; two cost a fifth of that.

:class:`ResponseEdge` (outer), on the way in:
  1. the request id (:func:`request_ids.assign`), echoed as ``X-Request-Id`` on the answer;
  2. the request metrics, recorded with the status finally sent (:class:`RequestMetrics`);
  3. conditional GET: a GET answered 200 is held until its last byte, tagged, or answered 304
     (:func:`etags.conditional`);
  4. the request span around everything inside, while a tracer provider records (:func:`traced.traced`).

:class:`RequestEdge` (inner), on the way in:
  5. the security headers on every answer, refusals included (:func:`headers.secured`);
  6. at most ``MAX_HEADERS`` header fields (:func:`protocol.check_header_count`, 431);
  7. a wildcard ``Accept`` read as JSON (:func:`accept.json_for_wildcards`);
  8. ``If-Unmodified-Since`` taken out and checked (:func:`preconditions.read_precondition`);
  9. a PUT/POST/PATCH body read whole and checked (:func:`readonly.read_body`);
 10. the region prefix stripped, an unknown region refused (:func:`regional.route_region`, 404).

A refusal (:class:`~secapi_hetzner.app.problems.Refused`) is answered from here with the same error body as
every other, and leaves through the same steps outward (security headers, metrics, request id).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from secapi_hetzner import tracing
from secapi_hetzner.app import request_ids
from secapi_hetzner.app.accept import json_for_wildcards
from secapi_hetzner.app.context import reset_region, set_region
from secapi_hetzner.app.etags import conditional
from secapi_hetzner.app.headers import secured
from secapi_hetzner.app.preconditions import expect_version, forget_version, read_precondition
from secapi_hetzner.app.problems import Refused, send_refusal
from secapi_hetzner.app.protocol import check_header_count
from secapi_hetzner.app.readonly import BODY_METHODS, forget_metadata, read_body, replaying, submit_metadata
from secapi_hetzner.app.regional import route_region
from secapi_hetzner.app.request_metrics import RequestMetrics
from secapi_hetzner.app.traced import traced
from secapi_hetzner.limits import MAX_BODY_BYTES


class ResponseEdge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.traced = traced(app)
        self.metrics = RequestMetrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = (request_ids.HEADER, request_ids.assign(scope).encode("latin-1"))
        # inner layers copy the scope, but the copies share this dict: Connexion's routing writes the operation
        # id into it
        extensions = scope.setdefault("extensions", {})
        held_for_tag = scope["method"] == "GET"
        status = 500
        start: Message | None = None  # a GET's 200, held until its body is whole
        chunks: list[bytes] = []

        async def sending(message: Message) -> None:
            nonlocal status, start
            if message["type"] == "http.response.start":
                status = message["status"]
                if held_for_tag and status == 200:
                    start = message
                    return
                await send(_with(message, request_id))
                return
            if start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answer, body = conditional(scope, start, b"".join(chunks))
                    start, status = None, answer["status"]
                    await send(_with(answer, request_id))
                    await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        try:
            await (self.traced if tracing.recording() else self.app)(scope, receive, sending)
        finally:
            self.metrics.record(scope, extensions, status, started)


def _with(start: Message, header: tuple[bytes, bytes]) -> Message:
    return {**start, "headers": [*start.get("headers", []), header]}


class RequestEdge:
    def __init__(self, app: ASGIApp, *, default_region: str, known_regions: Callable[[], set[str]],
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.default_region = default_region
        self.known_regions = known_regions
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ui = "/ui" in scope["path"]

        async def securing(message: Message) -> None:
            await send(secured(message, ui=ui) if message["type"] == "http.response.start" else message)

        metadata: dict[str, Any] | None = None
        try:
            check_header_count(scope)
            version, headers = read_precondition(scope["method"], json_for_wildcards(scope["headers"]))
            if scope["method"] in BODY_METHODS:
                metadata, body, headers = await read_body(scope, receive, headers, self.max_body)
                receive = replaying(body)
            region, path = route_region(scope["path"], self.default_region, self.known_regions)
        except Refused as refused:
            await send_refusal(scope, securing, refused)
            return
        inner = {**scope, "headers": headers}
        if path != scope["path"]:
            inner["path"], inner["raw_path"] = path, path.encode()
        expected, submitted, served = expect_version(version), submit_metadata(metadata), set_region(region)
        try:
            await self.app(inner, receive, securing)
        finally:
            reset_region(served)
            forget_metadata(submitted)
            forget_version(expected)
