"""The edge (app/edge.py): its steps run in the documented order, around any inner app, and a request refused
at the edge leaves through the same outward steps as any answer (security headers, request id, metrics)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from secapi_hetzner.app.context import current_region
from secapi_hetzner.app.edge import RequestEdge, ResponseEdge
from secapi_hetzner.app.preconditions import expected_version
from secapi_hetzner.app.protocol import MAX_HEADERS
from secapi_hetzner.app.readonly import submitted_metadata

REQUEST_ID = "0123456789abcdef0123456789abcdef"


class Inner:
    """An app that answers 200 with what it saw of the request."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        body = b""
        if scope["method"] in ("PUT", "POST"):
            body = (await receive())["body"]
        seen = {"path": scope["path"], "region": current_region(), "version": expected_version(),
                "metadata": submitted_metadata(), "body": body.decode(),
                "headers": {k.decode(): v.decode() for k, v in scope["headers"] if k != b"if-none-match"}}
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(seen).encode()})


def _serve(method: str, path: str, headers: list[tuple[bytes, bytes]] | None = None, body: bytes = b"",
           inner: Inner | None = None) -> tuple[int, dict[str, str], bytes]:
    app = ResponseEdge(RequestEdge(inner or Inner(), default_region="fsn1", known_regions=lambda: {"fsn1", "nbg1"}))
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers or [], "root_path": ""}
    sent: list[Message] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    answer_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], answer_headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_an_answer_carries_its_request_id_its_tag_and_the_security_headers() -> None:
    status, headers, body = _serve("GET", "/providers/seca.workspace/v1/x", [(b"x-request-id", REQUEST_ID.encode())])
    assert status == 200
    assert headers["x-request-id"] == REQUEST_ID
    assert headers["etag"].startswith('"') and headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    seen = json.loads(body)
    assert seen["region"] == "fsn1" and seen["path"] == "/providers/seca.workspace/v1/x"
    # the tag names the bytes: asking with it is 304, with the request id still echoed
    status, again, body = _serve("GET", "/providers/seca.workspace/v1/x", [
        (b"x-request-id", REQUEST_ID.encode()), (b"if-none-match", headers["etag"].encode())])
    assert (status, body) == (304, b"")
    assert again["etag"] == headers["etag"] and again["x-request-id"] == REQUEST_ID


def test_a_request_id_that_is_no_uuid_is_replaced_for_the_inner_app_too() -> None:
    status, headers, body = _serve("GET", "/x", [(b"x-request-id", b"not an id")])
    assert headers["x-request-id"] != "not an id" and len(headers["x-request-id"]) == 32
    assert json.loads(body)["headers"]["x-request-id"] == headers["x-request-id"]


def test_a_refusal_at_the_edge_leaves_like_any_answer_and_reaches_nothing_inside() -> None:
    inner = Inner()
    too_many = [(f"x-h{i}".encode(), b"1") for i in range(MAX_HEADERS + 1)]
    status, headers, body = _serve("GET", "/x", too_many, inner=inner)
    assert status == 431 and headers["connection"] == "close"
    assert headers["x-content-type-options"] == "nosniff" and len(headers["x-request-id"]) == 32
    assert "etag" not in headers and json.loads(body)["status"] == 431
    status, headers, _ = _serve("GET", "/regions/mars/providers/seca.compute/v1/skus", inner=inner)
    assert status == 404 and headers["x-frame-options"] == "DENY"
    status, _, body = _serve("PUT", "/x", [(b"if-unmodified-since", b"yesterday")], inner=inner)
    assert status == 412 and "if-unmodified-since" in json.loads(body)["detail"]
    status, _, _ = _serve("PUT", "/x", [(b"content-type", b"text/plain")], body=b"{}", inner=inner)
    assert status == 415
    assert inner.calls == 0


def test_the_inner_app_sees_the_request_as_the_steps_left_it() -> None:
    status, _, body = _serve("PUT", "/regions/nbg1/providers/seca.workspace/v1/tenants/t/workspaces/w", [
        (b"accept", b"*/*"), (b"if-unmodified-since", b"7"), (b"content-type", b"Application/JSON; charset=utf-8")],
        body=b'{"metadata": {"region": "nbg1"}, "status": {}, "spec": {"a": 1}}')
    assert status == 200
    seen: dict[str, Any] = json.loads(body)
    assert seen["path"] == "/providers/seca.workspace/v1/tenants/t/workspaces/w" and seen["region"] == "nbg1"
    assert seen["version"] == 7 and seen["metadata"] == {"region": "nbg1"}
    assert json.loads(seen["body"]) == {"spec": {"a": 1}}
    assert seen["headers"]["accept"] == "application/json" and "if-unmodified-since" not in seen["headers"]
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["content-length"] == str(len(seen["body"]))
    # nothing of one request stays for the next
    assert (expected_version(), submitted_metadata(), current_region()) == (None, {}, "")
