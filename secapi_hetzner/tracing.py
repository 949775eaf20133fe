"""OpenTelemetry traces: one trace from a SECA request through the operation it enqueued (run later, maybe
by a worker in another process: the request's W3C ``traceparent`` is stored on the operation) to each
Hetzner call. Spans are exported with OTLP over HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set, the exporter's own variables configuring it; otherwise no
provider is installed and every span is a no-op."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import propagate, trace

TRACER = trace.get_tracer("secapi-hetzner")
_configured: list[bool] = []


def configure(service_name: str = "secapi-hetzner") -> bool:
    """Install the OTLP exporter (once per process) when an endpoint is configured; True when it is."""
    if not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        return False
    if _configured:
        return True
    _configured.append(True)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return True


def recording() -> bool:
    """A tracer provider that records spans is installed (the OTLP one of :func:`configure`, or a test's)."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider | trace.NoOpTracerProvider)


def current_traceparent() -> str:
    """The W3C ``traceparent`` of the span in progress ("" when none records)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent", "")


@contextmanager
def step_span(name: str, traceparent: str, attributes: Mapping[str, str | int]) -> Iterator[None]:
    """A span for one engine step, in the trace of the request that enqueued the operation."""
    parent = propagate.extract({"traceparent": traceparent}) if traceparent else None
    with TRACER.start_as_current_span(name, context=parent, kind=trace.SpanKind.CONSUMER,
                                      attributes=dict(attributes)):
        yield


@contextmanager
def hetzner_span(endpoint: str) -> Iterator[None]:
    """A span for one Hetzner API call (``servers.create`` …)."""
    with TRACER.start_as_current_span(f"hetzner {endpoint}", kind=trace.SpanKind.CLIENT,
                                      attributes={"hetzner.endpoint": endpoint}):
        yield
