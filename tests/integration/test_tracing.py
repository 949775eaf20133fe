"""One trace from the SECA request through the operation (run later by a worker, here in this process as
the service's workers would be in theirs: the trace context travels through the operation's row) to each
Hetzner call; recorded with the OpenTelemetry SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import TENANT, Service

WS = "ws-traced"
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


class Switched(SimpleSpanProcessor):
    """Exports while on: the provider stays installed for the rest of the session (it can be set once per
    process), so later modules must neither keep spans in memory nor log about a shut-down processor."""

    on = True

    def on_end(self, span: ReadableSpan) -> None:
        if self.on:
            super().on_end(span)


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    switch = Switched(exporter)
    provider.add_span_processor(switch)
    trace.set_tracer_provider(provider)  # once per process (the tracer the service holds delegates to it)
    yield exporter
    switch.on = False
    exporter.clear()


def test_an_instance_create_is_one_trace_from_request_to_hetzner_calls(service: Service,
                                                                        spans: InMemorySpanExporter) -> None:
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}",
                       {"spec": {}}).status_code == 201
    storage = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
    assert service.put(f"{storage}/boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL}}).status_code == 201
    service.drain()
    spans.clear()
    compute = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
    assert service.put(f"{compute}/vm", {"spec": {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
                                                  "bootVolume": {"deviceRef": {"resource": "block-storages/boot"}}}}
                       ).status_code == 201
    service.drain()
    finished: list[ReadableSpan] = list(spans.get_finished_spans())
    [request] = [s for s in finished if s.kind == trace.SpanKind.SERVER and s.name.startswith("PUT")]
    trace_id = request.context.trace_id
    steps = [s for s in finished if s.name == "apply instance"]
    calls = [s for s in finished if s.name.startswith("hetzner ")]
    assert steps and all(s.context.trace_id == trace_id for s in steps)  # the operation joins the request's trace
    assert all(s.parent is not None and s.parent.span_id == request.context.span_id for s in steps)
    created = [s for s in calls if s.name == "hetzner servers.create"]
    assert len(created) == 1 and created[0].context.trace_id == trace_id
    step_ids = {s.context.span_id for s in steps}
    assert created[0].parent is not None and created[0].parent.span_id in step_ids  # inside the step that sent it
    assert all(s.context.trace_id == trace_id for s in calls if s.parent and s.parent.span_id in step_ids)
