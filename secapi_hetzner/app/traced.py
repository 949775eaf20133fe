"""The request span: OpenTelemetry's ASGI middleware, entered only while a tracer provider records
(:func:`secapi_hetzner.tracing.recording`). Without one, its spans are no-ops, yet building their
attributes costs about as much as serving a catalog page; so app/edge.py decides per request whether a
request goes through :func:`traced` (a provider installed later, as the tracing tests do, is used from then
on)."""

from __future__ import annotations

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.types import ASGIApp


def traced(app: ASGIApp) -> ASGIApp:
    """``app`` inside a request span."""
    return OpenTelemetryMiddleware(app, exclude_spans=["receive", "send"])
