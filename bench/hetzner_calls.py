"""`make bench` (part 3): Hetzner calls per SECA operation, by endpoint, and time to `active`, with
Hetzner actions that take real time (the simulator's action duration set to 0.5 s and to 5 s).

Hetzner's budget is 3,600 requests per hour per project: calls per operation decide how many
instances a project can run through the service. Each operation runs alone (nothing else in flight),
so the figures are the cost of one operation, not shared polling; each action time gets a fresh
service (the engine learns how long actions take). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.harness import RunningService, machine, record, running_service

#: issue 7's targets: Hetzner calls per operation (a move's is what it was measured at when built: 6 writes, the
#: reads of 4 actions, and a server read per run of the operation)
TARGETS = {"create (boot disk)": 4, "create (boot disk + data volume)": 6, "start": 3, "stop": 3, "restart": 3,
           "grow data volume": 3, "delete": 3, "move to another zone (running)": 16}


def _sim(svc: RunningService, path: str) -> str:
    return f"{svc.simulator.url.removesuffix('/v1')}/_sim/{path}"


def _routes(svc: RunningService) -> Counter[str]:
    return Counter(httpx.get(_sim(svc, "requests")).json()["by_route"])


def _wait(client: httpx.Client, path: str, done: Any, timeout: float = 300.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        response = client.get(path)
        if done(response):
            return time.monotonic() - started
        time.sleep(0.02)
    raise TimeoutError(path)


def measure(svc: RunningService, client: httpx.Client, action_seconds: float, run: int) -> list[dict[str, Any]]:
    httpx.put(_sim(svc, "actions/timing"), json={"seconds": action_seconds}).raise_for_status()
    tag = f"{action_seconds}-{run}".replace(".", "-")
    t = svc.tenant
    ws = f"/providers/seca.workspace/v1/tenants/{t}/workspaces/calls-{tag}"
    client.put(ws, json={"spec": {}}).raise_for_status()
    storage = f"/providers/seca.storage/v1/tenants/{t}/workspaces/calls-{tag}/block-storages"
    compute = f"/providers/seca.compute/v1/tenants/{t}/workspaces/calls-{tag}/instances"
    local, volume = ({"resource": f"seca.storage/v1/tenants/{t}/skus/{sku}"}
                     for sku in ("local-nvme", "hetzner-volume"))
    for name, sku, size in (("boot-a", local, 20), ("boot-b", local, 20), ("data-b", volume, 10)):
        client.put(f"{storage}/{name}", json={"spec": {"sizeGB": size, "skuRef": sku}}).raise_for_status()
        _wait(client, f"{storage}/{name}", lambda r: r.json()["status"]["state"] == "active")

    def active(path: str, **status: str) -> Any:
        return lambda r: r.json()["status"]["state"] == "active" and all(
            r.json()["status"].get(k) == v for k, v in status.items())

    def vm(boot: str, data: bool, zone: str = "fsn1") -> dict[str, Any]:
        spec: dict[str, Any] = {"skuRef": {"resource": "skus/cx23"}, "zone": zone,
                                "bootVolume": {"deviceRef": {"resource": f"block-storages/{boot}"}}}
        if data:
            spec["dataVolumes"] = [{"deviceRef": {"resource": "block-storages/data-b"}}]
        return {"spec": spec}

    steps: list[tuple[str, Any, str, Any]] = [
        ("create (boot disk)", lambda: client.put(f"{compute}/vm-a", json=vm("boot-a", False)), f"{compute}/vm-a",
         active("", powerState="off")),
        ("create (boot disk + data volume)", lambda: client.put(f"{compute}/vm-b", json=vm("boot-b", True)),
         f"{compute}/vm-b", active("", powerState="off")),
        ("start", lambda: client.post(f"{compute}/vm-a/start"), f"{compute}/vm-a", active("", powerState="on")),
        ("restart", lambda: client.post(f"{compute}/vm-a/restart"), f"{compute}/vm-a", active("", powerState="on")),
        ("move to another zone (running)",
         lambda: client.put(f"{compute}/vm-a", json=vm("boot-a", False, zone="nbg1")), f"{compute}/vm-a",
         active("", powerState="on")),
        ("stop", lambda: client.post(f"{compute}/vm-a/stop"), f"{compute}/vm-a", active("", powerState="off")),
        ("grow data volume",
         lambda: client.put(f"{storage}/data-b", json={"spec": {"sizeGB": 20, "skuRef": volume}}),
         f"{storage}/data-b",
         lambda r: r.json()["status"]["state"] == "active" and r.json()["status"]["sizeGB"] == 20),
        ("delete", lambda: client.delete(f"{compute}/vm-a"), f"{compute}/vm-a", lambda r: r.status_code == 404),
    ]
    rows = []
    for name, send, path, done in steps:
        time.sleep(0.3)  # let the previous operation's last poll land before counting
        before = _routes(svc)
        send().raise_for_status()
        seconds = _wait(client, path, done)
        spent = _routes(svc) - before
        rows.append({"operation": name, "action_seconds": action_seconds, "run": run, "calls": sum(spent.values()),
                     "target": TARGETS[name], "seconds_to_done": round(seconds, 2),
                     "by_endpoint": dict(sorted(spent.items()))})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--action-seconds", type=float, nargs="*", default=[0.5, 5.0])
    parser.add_argument("--log", type=Path, help="write the service's debug log (every Hetzner call and wait) here")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for seconds in args.action_seconds:  # a service of its own each: what it learnt of Hetzner's pace stays
        env = {"SECA_RESYNC_SECONDS": "3600"} | ({"SECA_LOG_LEVEL": "DEBUG"} if args.log else {})
        log = args.log.with_suffix(f".{seconds}s.log") if args.log else None
        with running_service(workers=1, extra_env=env, log=log) as svc, \
                httpx.Client(base_url=svc.url, headers={"Authorization": f"Bearer {svc.token}"}, timeout=60) as client:
            for run in (1, 2):  # the first of each command teaches the engine Hetzner's pace; the second is steady
                rows += measure(svc, client, seconds, run)
    report = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "rows": rows}
    record("hetzner-calls", report, markdown(report))


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Hetzner calls per SECA operation ({report['date']})", "",
             "Each operation alone, through the service (one gunicorn worker, in-process engine worker) against the "
             "simulator with every Hetzner action taking the time shown.", "",
             "Run 1 is the first action of each command the service sees (it learns the pace from it); run 2 is "
             "the steady state.", "",
             "| operation | action time | run | calls | target | seconds to done | by endpoint |",
             "|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        endpoints = ", ".join(f"{k} ×{v}" for k, v in row["by_endpoint"].items())
        lines.append(f"| {row['operation']} | {row['action_seconds']} s | {row['run']} | {row['calls']} | "
                     f"≤ {row['target']} | "
                     f"{row['seconds_to_done']} | {endpoints} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
