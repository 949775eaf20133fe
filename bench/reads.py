"""`make bench` (part 5): read throughput and latency through the service against two ceilings in the same
run (issue 13): a bare Starlette route and a minimal Connexion AsyncApp serving the same bytes (the
service's SKU list), each behind gunicorn with 2 uvicorn workers, loaded by wrk (2 threads, 16
connections). Not a test: nothing here asserts; the machine is shared, so compare ratios within one run.

The bench's own resources sit beside an estate of other tenants' (``--estate``, 20,000 by default: their
workspaces and NICs, written straight into the database, kinds the drift check leaves alone): a read that
goes through the table shows here. (Without it the table held a hundred rows, and a single GET that hashed
the whole table looked as cheap as one that did not.) The table is vacuumed and analyzed once everything is
set up, as autovacuum would have done by then in a deployment, so that it does not do it in the middle of
one target's run (it did, and that target measured 20% low); the reads' plans before any ANALYZE are
tests/integration/test_query_plans.py's business.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.harness import ROOT, machine, record, running_service
from secapi_hetzner.simulator_process import free_port

#: an unrecorded run before each measured one: a ceiling's first run after its start is ~0.55x its later ones
#: (wrk's 16 keep-alive connections are accepted while one of its two workers still boots, and stay on the
#: other), and every target gets the same
WARM_UP_SECONDS = 2


@contextmanager
def ceiling(app: str, body: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "BENCH_BODY_FILE": str(body), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-k", "uvicorn_worker.UvicornWorker",
                                "-b", f"127.0.0.1:{port}", f"bench.ceilings:{app}"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/skus"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def add_estate(database_url: str, resources: int) -> None:
    """``resources`` rows of other tenants (20 per tenant: a workspace and 19 NICs in it)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO resources (tenant, workspace, parent, kind, name, api, state)"
            " SELECT 'estate-' || (g / 20), CASE WHEN g %% 20 = 0 THEN '' ELSE 'ws' END,"
            "        CASE WHEN g %% 20 = 0 THEN '' ELSE 'net' END,"
            "        CASE WHEN g %% 20 = 0 THEN 'workspace' ELSE 'nic' END,"
            "        CASE WHEN g %% 20 = 0 THEN 'ws' ELSE 'nic-' || g END, 'x', 'active'"
            "   FROM generate_series(0, %s - 1) AS g", (resources,))


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int, token: str = "") -> dict[str, float]:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
            "errors": float(non_2xx.group(1)) if non_2xx else 0.0}


def settle(client: httpx.Client, workspaces: str, timeout: float = 60) -> None:
    """Wait until the workspaces just created are active: no worker is busy while wrk measures."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = client.get(workspaces, params={"limit": 100}).json()["items"]
        if all(item["status"]["state"] == "active" for item in items):
            return
        time.sleep(0.5)
    raise RuntimeError("the bench's workspaces did not become active")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="runs of every target; the best one is reported")
    parser.add_argument("--estate", type=int, default=20_000, help="other tenants' resources beside the bench's")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench.reads: wrk is not installed (apt-get install wrk); skipped", file=sys.stderr)
        return
    rows: list[dict[str, Any]] = []
    with running_service(workers=2, extra_env={"SECA_LOG_LEVEL": "WARNING"}) as svc:
        headers = {"Authorization": f"Bearer {svc.token}"}
        base = f"{svc.url}/providers"
        t = svc.tenant
        add_estate(svc.database_url, args.estate)
        with httpx.Client(headers=headers, timeout=30) as client:
            for i in range(50):
                client.put(f"{base}/seca.workspace/v1/tenants/{t}/workspaces/ws-{i:02d}",
                           json={"spec": {}}).raise_for_status()
            settle(client, f"{base}/seca.workspace/v1/tenants/{t}/workspaces")
            # 50 route tables (the kind whose live status runs queries: each route's state is its target's)
            net = f"{base}/seca.network/v1/tenants/{t}/workspaces/ws-00"
            client.put(f"{net}/networks/net", json={"spec": {"cidr": {"ipv4": "10.9.0.0/16"}, "skuRef": {
                "resource": "skus/hetzner-private-network"}}}).raise_for_status()
            client.put(f"{net}/internet-gateways/gw", json={"spec": {}}).raise_for_status()
            for i in range(50):
                client.put(f"{net}/networks/net/route-tables/rt-{i:02d}", json={"spec": {"routes": [
                    {"destinationCidrBlock": "0.0.0.0/0", "targetRef": {"resource": "internet-gateways/gw"}}]}}
                           ).raise_for_status()
            settle(client, f"{net}/networks/net/route-tables")
            skus = client.get(f"{base}/seca.compute/v1/tenants/{t}/skus")
            skus.raise_for_status()
            one_sku = skus.json()["items"][0]["metadata"]["name"]
        with psycopg.connect(svc.database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) resources")
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            handle.write(skus.content)
        body = Path(handle.name)
        targets = [("bare Starlette, SKU list bytes", None, "starlette_app"),
                   ("minimal Connexion AsyncApp, same bytes", None, "connexion_app"),
                   ("service: SKU list", f"{base}/seca.compute/v1/tenants/{t}/skus", None),
                   ("service: one SKU", f"{base}/seca.compute/v1/tenants/{t}/skus/{one_sku}", None),
                   ("service: regions list", f"{base}/seca.region/v1/regions", None),
                   ("service: one workspace", f"{base}/seca.workspace/v1/tenants/{t}/workspaces/ws-00", None),
                   ("service: list of 50 workspaces",
                    f"{base}/seca.workspace/v1/tenants/{t}/workspaces?limit=50", None),
                   ("service: list of 50 route tables", f"{net}/networks/net/route-tables?limit=50", None)]
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):  # the targets in turn, each round: a burst of other load hits them all alike
            for name, url, app in targets:
                if app is not None:
                    with ceiling(app, body) as ceiling_url:
                        wrk(ceiling_url, WARM_UP_SECONDS)
                        result = wrk(ceiling_url, args.seconds)
                else:
                    assert url is not None
                    wrk(url, WARM_UP_SECONDS, svc.token)
                    result = wrk(url, args.seconds, svc.token)
                print(f"{name}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                      f"p99 {result['p99_ms']:.1f} ms", flush=True)
                if name not in best or result["rps"] > best[name]["rps"]:
                    best[name] = result
        rows += [{"target": name, **best[name]} for name, _, _ in targets]
        body.unlink()
    report = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "rows": rows,
              "body_bytes": len(skus.content), "rounds": args.rounds, "estate": args.estate}
    record("reads", report, markdown(report))


def markdown(report: dict[str, Any]) -> str:
    rows = report["rows"]
    connexion_rps = next(r["rps"] for r in rows if r["target"].startswith("minimal Connexion"))
    sku_rps = next(r["rps"] for r in rows if r["target"] == "service: SKU list")
    lines = [f"# Reads through the service vs. two ceilings ({report['date']})", "",
             f"wrk, 2 threads, 16 connections, each target behind gunicorn with 2 uvicorn workers, the best of "
             f"{report.get('rounds', 1)} runs of each, taken in turn; the SKU "
             f"list is {report['body_bytes']} bytes; beside {report.get('estate', 0):,} other tenants' resources "
             "in the database. Goals (issue 13): SKU list ≥ 0.6× the Connexion ceiling, any "
             "single GET ≥ 0.5×, p99 ≤ 3× p50, a list of 50 (of any kind) ≥ 0.3× the SKU list.", "",
             "| target | req/s | p50 | p99 | × Connexion ceiling | × SKU list | non-2xx |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['target']} | {row['rps']:.0f} | {row['p50_ms']:.1f} ms | {row['p99_ms']:.1f} ms | "
                     f"{row['rps'] / connexion_rps:.2f} | {row['rps'] / sku_rps:.2f} | {row['errors']:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
