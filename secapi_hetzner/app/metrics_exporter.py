"""``/metrics`` for Prometheus on its own port (``SECA_METRICS_PORT``), never on the public API port.

Served by the gunicorn master (or a standalone worker process): the metrics of every process (multiprocess
mode), plus what only PostgreSQL knows, read at each scrape: operations waiting and running, the age of
the oldest due operation, and the Hetzner request budget left per project.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from secapi_hetzner.store import Database

log = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    """Queue and budget gauges, read from PostgreSQL when scraped (one small query each)."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._db: Database | None = None

    def collect(self) -> Iterator[Metric]:
        try:
            if self._db is None:
                self._db = Database(self._url, min_size=0, max_size=1)
            queue = self._db.one("queue_metrics") or {}
            budgets = self._db.all("request_budget_levels")
        except Exception:  # the database is away: the scrape still answers with the process metrics
            log.warning("metrics: the database could not be read")
            return
        depth = GaugeMetricFamily("seca_operations", "Engine operations by status (todo: waiting or due; doing: "
                                                     "running).", labels=["status"])
        depth.add_metric(["todo"], float(queue.get("todo") or 0))
        depth.add_metric(["doing"], float(queue.get("doing") or 0))
        yield depth
        yield GaugeMetricFamily("seca_operation_oldest_due_seconds", "How long the oldest due operation has "
                                                                     "waited to be claimed (0: none waits).",
                                value=float(queue.get("oldest_due") or 0))
        left = GaugeMetricFamily("seca_hetzner_budget_remaining", "Hetzner requests left in the project's shared "
                                                                  "bucket (3,600 per hour).", labels=["project"])
        for row in budgets:
            left.add_metric([row["project"]], float(row["level"]))
        yield left


def registry_for(database_url: str) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:  # one process (a standalone worker without gunicorn): its own metrics
        from prometheus_client import REGISTRY
        for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001 - the documented way lacks a public API
            registry.register(collector)
    if database_url:
        registry.register(DatabaseCollector(database_url))
    return registry


def serve_metrics(port: int, host: str, database_url: str) -> None:
    """Start the exporter thread (Prometheus text format on ``http://host:port/metrics``)."""
    start_http_server(port, addr=host, registry=registry_for(database_url))
    print(f"metrics: http://{host}:{port}/metrics", flush=True)
