"""The Starlette application: ``/v1/…`` (the Hetzner API) and ``/_sim/…`` (test control)."""

from __future__ import annotations

import uuid

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import control
from .errors import CODE_BY_STATUS, SimError
from .pipeline import METHODS, error_response, handle
from .state import SimState


class CorrelationId:
    """Adds an ``X-Correlation-Id`` header to every HTTP response, as the real API does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = uuid.uuid4().hex[:16]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("X-Correlation-Id", correlation_id)
            await send(message)

        await self.app(scope, receive, send_with_id)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = CODE_BY_STATUS.get(status, "server_error")
    return error_response(SimError(code, f"no such endpoint: {request.url.path}", {}, status))


def create_app(state: SimState | None = None) -> Starlette:
    """A simulator app over ``state`` (a fresh :class:`SimState` when omitted)."""
    app = Starlette(
        routes=[Route("/v1/{path:path}", handle, methods=METHODS), Mount("/_sim", routes=control.ROUTES)],
        middleware=[Middleware(CorrelationId)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.sim = state if state is not None else SimState()
    return app
