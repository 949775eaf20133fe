"""What an operator sees of a running ``secapi-hetzner serve`` (two gunicorn workers, as in production):
``/metrics`` on its own port after a scripted workload (requests by operation and status, Hetzner calls by
endpoint, the queue back to 0), JSON log lines carrying the request id, and the request id echoed in the
response header and in every error body."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TENANT, Service, admin_token
from tests.integration.test_token_revocation import cli_env
from tests.support.servers import free_port, serve_process

WS = "ws-observed"
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


@pytest.fixture(scope="module")
def served(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A serve process with metrics on their own port and DEBUG JSON logs: (API base, metrics URL, log)."""
    metrics_port = free_port()
    env = cli_env()
    env.update(PORT=str(free_port()), HCLOUD_ENDPOINT=service.simulator.url, SECA_METRICS_PORT=str(metrics_port),
               SECA_LOG_FORMAT="json", SECA_LOG_LEVEL="DEBUG", SECA_ACTION_POLL="0.05", SECA_RETRY_BASE="0.05")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path_factory.mktemp("observed") / "serve.log"
    with serve_process(env, log, workers=2) as base:
        yield base, f"http://127.0.0.1:{metrics_port}/metrics", log


def samples(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) if "{" in line else {}
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_after_a_workload(served: tuple[str, str, Path]) -> None:
    base, metrics_url, _ = served
    token = admin_token(label="observed")
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        assert client.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}",
                          json={"spec": {}}).status_code == 201
        storage = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
        compute = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
        assert client.put(f"{storage}/boot", json={"spec": {"sizeGB": 20, "skuRef": LOCAL}}).status_code == 201
        assert client.put(f"{compute}/vm", json={"spec": {
            "skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
            "bootVolume": {"deviceRef": {"resource": "block-storages/boot"}}}}).status_code == 201
        deadline = time.monotonic() + 60
        while client.get(f"{compute}/vm").json()["status"]["state"] != "active":
            assert time.monotonic() < deadline, "the instance never became active"
            time.sleep(0.1)
        assert client.get(f"{compute}/missing").status_code == 404
    assert httpx.get(f"{base}/metrics").status_code == 404  # never on the public API port
    text = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the last step's outcome lands just after the state turns active
        text = httpx.get(metrics_url, timeout=10).text
        if samples(text, "seca_operations", status="todo") + samples(text, "seca_operations", status="doing") == 0:
            break
        time.sleep(0.2)
    assert samples(text, "seca_requests_total", operation="createOrUpdateInstance", status="201") == 1
    assert samples(text, "seca_requests_total", operation="getInstance", status="404") == 1
    assert samples(text, "seca_requests_total", operation="getInstance", status="200") >= 1
    assert samples(text, "seca_request_duration_seconds_count", operation="createOrUpdateInstance") == 1
    assert samples(text, "seca_hetzner_calls_total", endpoint="servers.create", result="ok") == 1
    assert samples(text, "seca_operation_outcomes_total", kind="instance", reason="apply", outcome="done") == 1
    assert samples(text, "seca_operations", status="todo") == 0
    assert samples(text, "seca_operations", status="doing") == 0
    assert samples(text, "seca_operation_oldest_due_seconds") == 0
    assert samples(text, "seca_hetzner_budget_remaining") > 0
    assert samples(text, "seca_catalog_fetched_timestamp_seconds") > time.time() - 600
    assert token not in text  # no label carries anything a client sent


def test_request_id_in_header_error_body_and_json_logs(served: tuple[str, str, Path]) -> None:
    base, _, log = served
    token = admin_token(label="observed-ids")
    mine = uuid.uuid4().hex
    headers = {"Authorization": f"Bearer {token}", "X-Request-Id": mine}
    answer = httpx.get(f"{base}/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances/nope",
                       headers=headers, timeout=20)
    assert answer.status_code == 404
    assert answer.headers["X-Request-Id"] == mine and answer.json()["meta"]["requestId"] == mine
    fresh = httpx.get(f"{base}/providers/seca.compute/v1/tenants/{TENANT}/skus", headers={
        "Authorization": f"Bearer {token}"}, timeout=20)
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-Id"])  # one is made when none is sent
    unauthenticated = httpx.get(f"{base}/providers/seca.compute/v1/tenants/{TENANT}/skus", timeout=20)
    assert unauthenticated.json()["meta"]["requestId"] == unauthenticated.headers["X-Request-Id"]
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    parsed = [json.loads(line) for line in lines]
    assert parsed and all({"time", "level", "logger", "message"} <= set(entry) for entry in parsed)
    assert any(entry.get("request_id") for entry in parsed)  # lines written while serving a request say which
    assert token not in log.read_text()
