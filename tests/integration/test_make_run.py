"""`make run`'s command end to end: gunicorn, embedded PostgreSQL, simulator child, dev token, clean stop."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_serve_prints_a_working_token_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("HCLOUD_TOKEN", "DATABASE_URL")}
    env.update(PORT=str(port), SECA_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "secapi_hetzner.cli", "serve", "--dev", "--workers", "1"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    # read in a thread: a server that hangs without a word must fail the test at the deadline, not hang it
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    try:
        token = tenant = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and token is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            output.append(line)
            match = re.search(r"export SECA_TENANT=(\S+) SECA_TOKEN=(\S+)", line)
            if match:
                tenant, token = match.groups()
        assert token, "".join(output)
        assert any("built-in Hetzner simulator" in line for line in output), "".join(output)
        base = f"http://127.0.0.1:{port}"
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"{base}/providers/seca.region/v1/regions",
                                     headers={"Authorization": f"Bearer {token}"}, timeout=10)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None and response.status_code == 200, response and response.text
        assert response.json()["items"][0]["metadata"]["name"] == "eu-central"
        skus = httpx.get(f"{base}/providers/seca.compute/v1/tenants/{tenant}/skus",
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert skus.status_code == 200 and skus.json()["items"]
        children = psutil.Process(process.pid).children(recursive=True)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    rest = "".join(iter_queue(lines))
    assert process.returncode == 0, "".join(output) + rest
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {[p.info if hasattr(p, 'info') else p for p in alive]}"
    postmasters = [p for p in psutil.process_iter(["cmdline"])
                   if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    assert postmasters == []


def iter_queue(lines: queue.Queue[str]) -> list[str]:
    """What the reader thread has collected and nobody read yet."""
    left = []
    while True:
        try:
            left.append(lines.get_nowait())
        except queue.Empty:
            return left
