"""`make bench`: catalog reads through the service vs. the same Hetzner read done directly with hcloud.

Both run against the same simulator process on loopback, with the same number of client threads for
the same time. Reports throughput, p50/p99 latency, the ratio, and Hetzner calls per SECA request
(read from the simulator's own request counter). Results: see bench.harness.record. Not a test: figures
depend on the machine, so nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from hcloud import Client

from bench.harness import load, machine, record, running_service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with running_service(workers=args.workers) as svc:
        headers = {"Authorization": f"Bearer {svc.token}"}
        path = f"/providers/seca.compute/v1/tenants/{svc.tenant}/skus"
        for _ in range(20 * args.workers):  # warm every worker's catalog cache
            httpx.get(svc.url + path, headers=headers).raise_for_status()

        def seca_call() -> Callable[[], bool]:
            client = httpx.Client(base_url=svc.url, headers=headers, timeout=30)
            return lambda: client.get(path).status_code == 200

        def direct_call() -> Callable[[], bool]:
            client = Client(token="bench-direct", api_endpoint=svc.simulator.url, timeout=30)
            return lambda: bool(client.server_types.get_all())

        svc.reset_sim_requests()
        seca = load(seca_call, threads=args.threads, seconds=args.seconds)
        hetzner_calls_during_seca = svc.sim_request_total()
        svc.reset_sim_requests()
        direct = load(direct_call, threads=args.threads, seconds=args.seconds)
        direct_calls = svc.sim_request_total()

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "setup": {"seconds": args.seconds, "threads": args.threads, "gunicorn_workers": args.workers,
                  "seca_request": f"GET {path}", "direct_request": "hcloud server_types.get_all()"},
        "seca_service": seca.summary(),
        "hcloud_direct": direct.summary(),
        "ratio_service_to_direct_rps": round(seca.rps / direct.rps, 2) if direct.rps else None,
        "hetzner_calls_per_seca_request": round(hetzner_calls_during_seca / max(1, seca.requests), 4),
        "hetzner_calls_during_seca_run": hetzner_calls_during_seca,
        "hetzner_calls_per_direct_read": round(direct_calls / max(1, direct.requests), 2),
    }
    record("catalog", report, markdown(report))


def markdown(report: dict[str, Any]) -> str:
    s, d = report["seca_service"], report["hcloud_direct"]
    m = report["machine"]
    return "\n".join([
        f"# Catalog benchmark ({report['date']})", "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}.",
        f"Setup: {report['setup']['threads']} client threads for {report['setup']['seconds']} s each, "
        f"{report['setup']['gunicorn_workers']} gunicorn workers, client and server on the same machine; "
        "the simulator's rate limit is lifted for the run.", "",
        "| path | requests | errors | req/s | p50 ms | p99 ms |", "|---|---|---|---|---|---|",
        f"| SECA `{report['setup']['seca_request']}` via the service | {s['requests']} | {s['errors']} | "
        f"{s['rps']} | {s['p50_ms']} | {s['p99_ms']} |",
        f"| hcloud `server_types.get_all()` direct to the simulator | {d['requests']} | {d['errors']} | "
        f"{d['rps']} | {d['p50_ms']} | {d['p99_ms']} |", "",
        f"Service / direct throughput: {report['ratio_service_to_direct_rps']}×.",
        f"Hetzner calls per SECA catalog request (warm cache): {report['hetzner_calls_per_seca_request']} "
        f"({report['hetzner_calls_during_seca_run']} calls during the run).",
        f"Hetzner calls per direct hcloud read: {report['hetzner_calls_per_direct_read']}.", "",
    ])


if __name__ == "__main__":
    main()
