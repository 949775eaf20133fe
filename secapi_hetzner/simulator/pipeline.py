"""The one endpoint behind ``/v1/…``: the steps every Hetzner request goes through, in order.

count → authenticate (401) → rate limit (429) → injected fault → route (404/405) → parse JSON (400)
→ settle due actions and run the handler under the state lock → late fault → respond with
``RateLimit-*`` headers and, for lists, a ``Link`` header.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .counters import UNMATCHED
from .errors import SimError
from .faults import Fault
from .pagination import link_header
from .registry import all_routes
from .routing import Ctx, Reply, Route, Router
from .state import SimState

ROUTER: Final = Router(all_routes())
METHODS: Final = ["GET", "POST", "PUT", "DELETE", "PATCH"]
log = logging.getLogger(__name__)


def error_response(error: SimError, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(error.body(), error.status, headers=headers)


def _fault_response(fault: Fault, headers: dict[str, str]) -> Response | None:
    error = fault.error()
    if error is None:
        return None
    if fault.plain:
        return PlainTextResponse(error.message, error.status, headers=headers)
    return error_response(error, headers)


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise SimError("json_error", f"invalid JSON in request body: {exc}") from exc
    if not isinstance(body, dict):
        raise SimError("json_error", "the request body must be a JSON object")
    return body


def _respond(request: Request, reply: Reply, headers: dict[str, str]) -> Response:
    if reply.body is None:
        return Response(status_code=reply.status, headers=headers)
    pagination = (reply.body.get("meta") or {}).get("pagination")
    if pagination:
        base = str(request.url.replace(query=""))
        link = link_header(base, request.query_params.multi_items(), pagination)
        if link:
            headers = {**headers, "Link": link}
    return JSONResponse(reply.body, reply.status, headers=headers)


async def handle(request: Request) -> Response:
    state: SimState = request.app.state.sim
    method, path = request.method, "/" + request.path_params["path"]
    token = _bearer(request)
    route, params, allowed = ROUTER.match(method, path)
    with state.lock:
        state.counter.record(token, method, route.template if route else UNMATCHED)
        if not state.accepts(token):
            return error_response(SimError("unauthorized", "unable to authenticate", {}))
        permitted, headers = state.limiter.take(token)
        fault = state.faults.take(method, path, token)
    if not permitted:
        return error_response(
            SimError("rate_limit_exceeded", "limit of requests per hour reached", {}), headers
        )
    if fault is not None and not fault.after_effect:
        await asyncio.sleep(fault.latency)
        failed = _fault_response(fault, headers)
        if failed is not None:
            return failed
    reply = await _dispatch(request, state, token, route, params, allowed)
    if fault is not None and fault.after_effect:
        await asyncio.sleep(fault.latency)
        failed = _fault_response(fault, headers)
        if failed is not None:
            return failed
    return _respond(request, reply, headers)


async def _dispatch(
    request: Request,
    state: SimState,
    token: str,
    route: Route | None,
    params: dict[str, int],
    allowed: list[str],
) -> Reply:
    try:
        if route is None and allowed:
            raise SimError("method_not_allowed", f"method not allowed; allowed: {', '.join(allowed)}", {})
        if route is None:
            raise SimError("not_found", f"no such endpoint: {request.url.path}", {})
        body = await _body(request) if request.method in ("POST", "PUT", "PATCH") else {}
        query: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            query.setdefault(key, []).append(value)
        with state.lock:
            project = state.begin_request(token)
            return route.handler(Ctx(project, params, query, body))
    except SimError as error:
        return Reply(error.status, error.body())
    except Exception:  # a simulator bug must still look like a Hetzner answer
        log.exception("simulator handler failed for %s %s", request.method, request.url.path)
        return Reply(500, SimError("server_error", "internal simulator error", {}).body())
