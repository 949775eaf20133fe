"""Bench plumbing: start the simulator and the service (gunicorn) as real processes, load them
with a bounded number of threads for a bounded time, and describe the machine."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from secapi_hetzner.simulator_process import SimulatorProcess, free_port, start_simulator

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else float("nan")

    def summary(self) -> dict[str, float]:
        return {"requests": self.requests, "errors": self.errors, "rps": round(self.rps, 1),
                "p50_ms": round(self.percentile(50), 2), "p99_ms": round(self.percentile(99), 2),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else 0.0}


def load(call_factory: Callable[[], Callable[[], bool]], *, threads: int, seconds: float) -> LoadResult:
    """Run ``threads`` loops, each with its own client from ``call_factory``, for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        call = call_factory()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            ok = call()
            latencies[index].append((time.perf_counter() - started) * 1000)
            errors[index] += 0 if ok else 1

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    flat = [value for chunk in latencies for value in chunk]
    return LoadResult(len(flat), sum(errors), elapsed, flat)


@dataclass
class RunningService:
    url: str
    token: str
    tenant: str
    simulator: SimulatorProcess
    data_dir: Path

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres:@/postgres?host={self.data_dir / 'pg'}"

    def sim_request_total(self) -> int:
        base = self.simulator.url.removesuffix("/v1")
        return int(httpx.get(f"{base}/_sim/requests").json()["total"])

    def reset_sim_requests(self) -> None:
        httpx.delete(f"{self.simulator.url.removesuffix('/v1')}/_sim/requests")


@contextmanager
def running_service(*, workers: int = 2, tenant: str = "bench", extra_env: dict[str, str] | None = None,
                    log: Path | None = None) -> Iterator[RunningService]:
    """``log``: where the service's log goes (nowhere by default; with ``SECA_LOG_LEVEL=DEBUG`` in
    ``extra_env`` it lists every Hetzner call and every wait on an action, with times)."""
    simulator = start_simulator()
    # The benchmark measures software, not Hetzner's 3,600 requests/hour budget: lift the simulator's.
    httpx.put(f"{simulator.url.removesuffix('/v1')}/_sim/rate_limit",
              json={"limit": 10**9, "refill_per_second": 10**6}).raise_for_status()
    data_dir = Path(tempfile.mkdtemp(prefix="secapi-bench-", dir=ROOT / ".data" if (ROOT / ".data").exists()
                                     else None))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SECA_DATA_DIR=str(data_dir), PORT=str(port), HCLOUD_TOKEN="bench-operator-token",
               HCLOUD_ENDPOINT=simulator.url, PYTHONUNBUFFERED="1", **(extra_env or {}))
    cli = [sys.executable, "-m", "secapi_hetzner.cli"]
    token = subprocess.run([*cli, "tokens", "--tenant", tenant, "--admin"], env=env, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    sink = log.open("w") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen([*cli, "serve", "--workers", str(workers)], env=env, stdout=sink,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the service did not become ready")
            time.sleep(0.2)
        yield RunningService(url, token, tenant, simulator, data_dir)
    finally:
        server.terminate()
        server.wait(timeout=30)
        simulator.stop()
        if log is not None and not isinstance(sink, int):
            sink.close()
        shutil.rmtree(data_dir, ignore_errors=True)  # its database (every run left ~40 MB behind)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": memory, "python": platform.python_version(),
            "platform": platform.platform()}


#: where a run's figures go: an ignored folder, unless SECA_BENCH_RECORD=1 asks to record them in the
#: tracked bench/results (what the README quotes)
SCRATCH = ROOT / ".data" / "bench-results"
RECORDED = ROOT / "bench" / "results"


def results_dir() -> Path:
    return RECORDED if os.environ.get("SECA_BENCH_RECORD") == "1" else SCRATCH


def record(name: str, report: dict[str, Any], markdown: str) -> None:
    """Keep a run's figures: ``<results>/<name>-<stamp>.json`` and ``<name>-latest.md``; print them."""
    results = results_dir()
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"{name}-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    (results / f"{name}-latest.md").write_text(markdown)
    print(markdown)
