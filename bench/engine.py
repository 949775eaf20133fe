"""`make bench` (part 2): the resource engine on the simulator.

* PUT → active latency of instances (each with its boot block storage), through the real service with
  its in-process worker, and the Hetzner calls each create costs (the simulator's own counter);
* start/stop latency and calls;
* list latency at 100 / 1,000 / 10,000 instances per page, over a workspace of 10,000 instances
  (seeded straight into PostgreSQL: listing never calls Hetzner, so creating them on the simulator
  would only measure the simulator).
Results go to .data/bench-results/ (SECA_BENCH_RECORD=1: bench/results/). Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.harness import RunningService, machine, record, running_service
from secapi_hetzner.lifecycle import Event, walk
from secapi_hetzner.store import Database
from secapi_hetzner.store.repository import Key, ResourceRepository

OPERATOR = "bench-operator-token"


def wait_for(client: httpx.Client, path: str, predicate: Any, timeout: float = 60.0) -> float:
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(path).json()
        if predicate(body):
            return (time.perf_counter() - started) * 1000
        time.sleep(0.005)
    raise TimeoutError(path)


def calls(svc: RunningService) -> int:
    return int(httpx.get(f"{svc.simulator.url.removesuffix('/v1')}/_sim/requests").json()["total"])


def lifecycle(svc: RunningService, client: httpx.Client, count: int) -> dict[str, Any]:
    ws = f"/providers/seca.workspace/v1/tenants/{svc.tenant}/workspaces/bench"
    client.put(ws, json={"spec": {}}).raise_for_status()
    storage = f"/providers/seca.storage/v1/tenants/{svc.tenant}/workspaces/bench/block-storages"
    compute = f"/providers/seca.compute/v1/tenants/{svc.tenant}/workspaces/bench/instances"
    sku = {"resource": f"seca.storage/v1/tenants/{svc.tenant}/skus/local-nvme"}
    create_ms, start_ms, stop_ms = [], [], []
    before = calls(svc)
    for i in range(count):
        client.put(f"{storage}/boot-{i}", json={"spec": {"sizeGB": 20, "skuRef": sku}}).raise_for_status()
        started = time.perf_counter()
        client.put(f"{compute}/vm-{i}", json={"spec": {
            "skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
            "bootVolume": {"deviceRef": {"resource": f"block-storages/boot-{i}"}}}}).raise_for_status()
        wait_for(client, f"{compute}/vm-{i}", lambda b: b["status"]["state"] == "active")
        create_ms.append((time.perf_counter() - started) * 1000)
    create_calls = calls(svc) - before
    before = calls(svc)
    for i in range(count):
        started = time.perf_counter()
        client.post(f"{compute}/vm-{i}/start").raise_for_status()
        wait_for(client, f"{compute}/vm-{i}", lambda b: b["status"]["state"] == "active"
                 and b["status"]["powerState"] == "on")
        start_ms.append((time.perf_counter() - started) * 1000)
    start_calls = calls(svc) - before
    for i in range(count):
        started = time.perf_counter()
        client.post(f"{compute}/vm-{i}/stop").raise_for_status()
        wait_for(client, f"{compute}/vm-{i}", lambda b: b["status"]["state"] == "active"
                 and b["status"]["powerState"] == "off")
        stop_ms.append((time.perf_counter() - started) * 1000)

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {"p50_ms": round(statistics.median(ordered), 1), "p99_ms": round(ordered[int(len(ordered) * .99)
                                                                                      - (len(ordered) == 1)], 1)}

    return {"instances": count, "put_to_active": summary(create_ms), "start_to_on": summary(start_ms),
            "stop_to_off": summary(stop_ms), "hetzner_calls_per_instance_create": round(create_calls / count, 1),
            "hetzner_calls_per_start": round(start_calls / count, 1)}


def seed(svc: RunningService, total: int) -> None:
    db = Database(svc.database_url, max_size=1)
    resources = ResourceRepository(db)
    now = datetime.now(UTC)
    status = {**walk(None, [Event.ACCEPTED, Event.PROVISIONING, Event.PROVISIONED], now), "powerState": "off"}
    spec = {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
            "bootVolume": {"deviceRef": {"resource": "block-storages/seeded"}}}
    with db.transaction() as conn:
        for i in range(total):
            resources.insert(conn, Key(svc.tenant, "listing", "", "instance", f"seeded-{i:05d}"), region="eu-central",
                             api="seca.compute", labels={"n": str(i)}, annotations=None, extensions=None,
                             spec=spec, status=status)
    db.close()


def listing(svc: RunningService, client: httpx.Client, total: int, repeats: int) -> list[dict[str, Any]]:
    client.put(f"/providers/seca.workspace/v1/tenants/{svc.tenant}/workspaces/listing", json={"spec": {}})
    seed(svc, total)
    path = f"/providers/seca.compute/v1/tenants/{svc.tenant}/workspaces/listing/instances"
    rows = []
    for limit in (100, 1000, 10000):
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(path, params={"limit": limit})
            times.append((time.perf_counter() - started) * 1000)
            assert len(response.json()["items"]) == min(limit, total)
        rows.append({"limit": limit, "p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                     "bytes": len(response.content)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--list-total", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    env = {"SECA_ACTION_POLL": "0.05", "SECA_RETRY_BASE": "0.1"}
    with running_service(workers=1, extra_env=env) as svc, \
            httpx.Client(base_url=svc.url, headers={"Authorization": f"Bearer {svc.token}"}, timeout=120) as client:
        engine = lifecycle(svc, client, args.instances)
        lists = listing(svc, client, args.list_total, args.repeats)
    report = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
              "setup": {"gunicorn_workers": 1, "worker": "in-process", "action_poll_s": 0.05,
                        "simulator_action_seconds": 0, "list_total": args.list_total},
              "engine": engine, "list": lists}
    record("engine", report, markdown(report))


def markdown(report: dict[str, Any]) -> str:
    e, m = report["engine"], report["machine"]
    lines = [f"# Engine benchmark ({report['date']})", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}. One gunicorn worker with "
             "its in-process engine worker; the simulator finishes actions on the next read.", "",
             "| measure | p50 ms | p99 ms |", "|---|---|---|",
             f"| instance PUT → active ({e['instances']} instances) | {e['put_to_active']['p50_ms']} | "
             f"{e['put_to_active']['p99_ms']} |",
             f"| start → powerState on | {e['start_to_on']['p50_ms']} | {e['start_to_on']['p99_ms']} |",
             f"| stop → powerState off | {e['stop_to_off']['p50_ms']} | {e['stop_to_off']['p99_ms']} |", "",
             f"Hetzner calls per instance create: {e['hetzner_calls_per_instance_create']}; per start: "
             f"{e['hetzner_calls_per_start']}.", "",
             f"List latency over {report['setup']['list_total']} instances:", "",
             "| limit (items per page) | p50 ms | max ms | response bytes |", "|---|---|---|---|"]
    lines += [f"| {row['limit']} | {row['p50_ms']} | {row['max_ms']} | {row['bytes']} |" for row in report["list"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
