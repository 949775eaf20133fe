"""Test control over HTTP under ``/_sim/``, mirroring the ``SimState`` methods.

No authentication, so only for clients on the simulator's own machine: any other client gets 403. The
answers never show a project's token: projects are named ``project-<first 12 hex of its sha256>``
(``?token=`` still selects one by its token).

=======  ============================  ==================================================================
method   path                          body → answer
=======  ============================  ==================================================================
POST     /_sim/reset                   → ``{"reset": true}``
GET      /_sim/state?token=            → ``{"projects": {token: {"servers": [...], ...}}}``
GET      /_sim/actions?status=&token=  → ``{"actions": [{..., "token"}]}``
PUT      /_sim/actions/timing          ``{"seconds": 0.0, "manual": false, "commands"?: {cmd: s}}`` → the same
POST     /_sim/actions/{id}/complete   → ``{"action": {...}}``
POST     /_sim/actions/{id}/fail       ``{"code"?, "message"?}`` → ``{"action": {...}}``
POST     /_sim/actions/fail_next       ``{"command", "code"?, "message"?, "times"?}`` → ``{}``
GET      /_sim/faults                  → ``{"faults": [...]}``
POST     /_sim/faults                  ``{"path", "method"?, "status"?, "code"?, "message"?, "latency"?,
                                       "after_effect"?, "plain"?, "times"?, "token"?}`` → 201 ``{"fault"}``
DELETE   /_sim/faults[/{id}]           → 204
GET      /_sim/requests?token=         → ``{"total", "by_route", "by_project"}``
DELETE   /_sim/requests                → 204
PUT      /_sim/rate_limit              ``{"limit", "refill_per_second"?}`` → the same
=======  ============================  ==================================================================
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import SimError
from .state import SimState

Endpoint = Callable[[Request], Awaitable[Response]]


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    body = json.loads(raw) if raw.strip() else {}
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


LOOPBACK: Final = frozenset({"127.0.0.1", "::1", "localhost"})


def project_name(token: str) -> str:
    """How control answers name a project: never by its token."""
    return "project-" + hashlib.sha256(token.encode()).hexdigest()[:12]


def _endpoint(work: Callable[[SimState, Request, dict[str, Any]], Any], status: int = 200) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if request.client is None or request.client.host not in LOOPBACK:
            return JSONResponse(SimError("forbidden", "the simulator's test control answers this machine only",
                                         {}).body(), 403)
        try:
            result = work(request.app.state.sim, request, await _body(request))
        except SimError as error:
            return JSONResponse(error.body(), error.status)
        except (ValueError, TypeError) as error:
            return JSONResponse(SimError("invalid_input", str(error), {}).body(), 400)
        if result is None:
            return Response(status_code=204)
        return JSONResponse(result, status)

    return endpoint


def _id(request: Request) -> int:
    return int(request.path_params["id"])


def _query(request: Request, name: str) -> str | None:
    return request.query_params.get(name)


def _reset(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    state.reset()
    return {"reset": True}


def _state(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    dump = state.dump(_query(request, "token"))
    return {"projects": {project_name(token): objects for token, objects in dump["projects"].items()}}


def _actions(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    actions = state.actions(_query(request, "status"), _query(request, "token"))
    return {"actions": [{**action, "token": project_name(action["token"])} for action in actions]}


def _timing(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    commands = body.get("commands") or {}
    if not isinstance(commands, dict):
        raise ValueError("commands must be an object of command → seconds")
    guest = body.get("guest_shutdown", 0.0)
    state.set_action_timing(float(body.get("seconds", 0.0)), manual=bool(body.get("manual", False)),
                            commands=commands, guest_shutdown=None if guest is None else float(guest))
    policy = state.shared.policy
    return {"seconds": policy.seconds, "manual": policy.manual, "commands": dict(policy.durations),
            "guest_shutdown": policy.guest_shutdown}


def _complete(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    return {"action": state.complete_action(_id(request))}


def _fail(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    return {"action": state.fail_action(_id(request), **body)}


def _fail_next(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    state.fail_next_action(**body)
    return {}


def _redacted(fault: dict[str, Any]) -> dict[str, Any]:
    return {**fault, "token": project_name(fault["token"])} if fault.get("token") else fault


def _faults(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    return {"faults": [_redacted(fault) for fault in state.list_faults()]}


def _add_fault(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    with state.lock:
        return {"fault": _redacted(state.faults.add(**body).to_api())}


def _clear_faults(state: SimState, request: Request, body: dict[str, Any]) -> None:
    state.clear_faults()


def _remove_fault(state: SimState, request: Request, body: dict[str, Any]) -> None:
    with state.lock:
        if not state.faults.remove(_id(request)):
            raise SimError("not_found", f"fault {_id(request)} not found")


def _requests(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    counts = state.request_counts(_query(request, "token"))
    if "by_project" in counts:
        counts = {**counts, "by_project": {project_name(t): c for t, c in counts["by_project"].items()}}
    return counts


def _reset_requests(state: SimState, request: Request, body: dict[str, Any]) -> None:
    state.reset_request_counts()


def _rate_limit(state: SimState, request: Request, body: dict[str, Any]) -> dict[str, Any]:
    state.set_rate_limit(int(body["limit"]), float(body.get("refill_per_second", 1.0)))
    return {"limit": state.limiter.limit, "refill_per_second": state.limiter.refill}


ROUTES: Final = [
    Route("/reset", _endpoint(_reset), methods=["POST"]),
    Route("/state", _endpoint(_state), methods=["GET"]),
    Route("/actions", _endpoint(_actions), methods=["GET"]),
    Route("/actions/timing", _endpoint(_timing), methods=["PUT"]),
    Route("/actions/fail_next", _endpoint(_fail_next), methods=["POST"]),
    Route("/actions/{id:int}/complete", _endpoint(_complete), methods=["POST"]),
    Route("/actions/{id:int}/fail", _endpoint(_fail), methods=["POST"]),
    Route("/faults", _endpoint(_faults), methods=["GET"]),
    Route("/faults", _endpoint(_add_fault, 201), methods=["POST"]),
    Route("/faults", _endpoint(_clear_faults), methods=["DELETE"]),
    Route("/faults/{id:int}", _endpoint(_remove_fault), methods=["DELETE"]),
    Route("/requests", _endpoint(_requests), methods=["GET"]),
    Route("/requests", _endpoint(_reset_requests), methods=["DELETE"]),
    Route("/rate_limit", _endpoint(_rate_limit), methods=["PUT"]),
]
