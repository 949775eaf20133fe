"""The request span: OpenTelemetry's ASGI middleware, entered only while a tracer provider records
(:func:`secapi_hetzner.tracing.recording`). Without one, its spans are no-ops, yet building their
attributes costs about as much as serving a catalog page; so it is skipped, decided per request (a
provider installed later, as the tracing tests do, is used from then on)."""

from __future__ import annotations

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from secapi_hetzner import tracing


class TracedWhenRecording:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.traced = OpenTelemetryMiddleware(app, exclude_spans=["receive", "send"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if tracing.recording():
            await self.traced(scope, receive, send)
        else:
            await self.app(scope, receive, send)
