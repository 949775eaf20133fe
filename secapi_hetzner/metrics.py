"""The service's Prometheus metrics (prometheus-client). Every label is bounded by the service, never by a
client: SECA operation ids, Hetzner call names, resource kinds, operation reasons, outcome and error codes,
and Hetzner projects as token fingerprints (one per configured token).

Under gunicorn the metrics are kept in multiprocess mode: ``secapi-hetzner serve`` sets
``PROMETHEUS_MULTIPROC_DIR`` before any process imports this module, and the master serves the merged view
on ``SECA_METRICS_PORT`` (``app/metrics_exporter.py``), together with what PostgreSQL says (queue depth,
oldest due operation, request budget left per project).
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("seca_requests", "SECA requests, by operation id and HTTP status.", ["operation", "status"])
REQUEST_SECONDS = Histogram("seca_request_duration_seconds", "Time to answer a SECA request, by operation id.",
                            ["operation"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
HETZNER_CALLS = Counter("seca_hetzner_calls", "Hetzner API calls, by endpoint and result (ok or Hetzner's "
                                              "error code).", ["endpoint", "result"])
HETZNER_RATE_LIMITED = Counter("seca_hetzner_rate_limited", "Hetzner calls answered rate_limit_exceeded, or held "
                                                            "back because the project's request budget was spent.")
OPERATION_OUTCOMES = Counter("seca_operation_outcomes", "Engine step outcomes, by kind, operation reason and "
                                                        "outcome (done, retry, failed).", ["kind", "reason", "outcome"])
OPERATION_RETRIES = Counter("seca_operation_retries_after_failure", "Steps retried after a failure (Hetzner or "
                                                                    "database trouble), by kind.", ["kind"])
DRIFT_FINDINGS = Counter("seca_drift_findings", "Resources found changed or deleted outside the service, by kind.",
                         ["kind"])
CATALOG_FETCHED = Gauge("seca_catalog_fetched_timestamp_seconds", "When the Hetzner catalog was last fetched "
                                                                  "(Unix time); its age is time() minus this.",
                        multiprocess_mode="max")

#: the action names an operation reason may carry besides apply and delete (anything else is "other")
REASONS = frozenset({"apply", "delete", "start", "stop", "restart"})


def reason_label(reason: str) -> str:
    return reason if reason in REASONS else "other"


def catalog_fetched() -> None:
    CATALOG_FETCHED.set(time.time())
