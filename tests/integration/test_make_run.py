"""`make run`'s command end to end: gunicorn, embedded PostgreSQL, simulator child, dev token, clean stop."""

from __future__ import annotations

import contextlib
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


class Serving:
    """``secapi-hetzner serve --dev`` in a subprocess, its output read by a thread (a silent hang fails)."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        env = {key: value for key, value in os.environ.items() if key not in ("HCLOUD_TOKEN", "DATABASE_URL",
                                                                             "HCLOUD_ENDPOINT")}
        env.update(PORT=str(self.port), SECA_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen([sys.executable, "-m", "secapi_hetzner.cli", "serve", "--dev", "--workers",
                                         "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        assert self.process.stdout is not None
        stdout = self.process.stdout
        threading.Thread(target=lambda: [self.lines.put(line) for line in stdout], daemon=True).start()

    def ready(self, timeout: float = 90) -> list[psutil.Process]:
        """Wait until it answers with its dev token; its processes (master's descendants)."""
        deadline = time.monotonic() + timeout
        token = None
        while token is None and time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.output.append(line)
            match = re.search(r"SECA_TOKEN=(\S+)", line)
            token = match.group(1) if match else None
        assert token, self.text()
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}/providers/seca.region/v1/regions",
                                     headers={"Authorization": f"Bearer {token}"}, timeout=10)
                assert response.status_code == 200, response.text
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"never answered\n{self.text()}")
        return psutil.Process(self.process.pid).children(recursive=True)

    def text(self) -> str:
        return "".join(self.output + iter_queue(self.lines))


def postmaster_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


def of_data_dir(data_dir: Path) -> list[psutil.Process]:
    """Running processes whose command line names the data directory (postgres, and nothing else ours)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if str(data_dir) in " ".join(process.info["cmdline"] or []) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            pass
    return found


@pytest.mark.slow
def test_after_a_kill_9_the_next_run_adopts_the_leftover_database_and_stops_it_on_exit(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    spawned: list[psutil.Process] = []
    try:
        first = Serving(data_dir)
        spawned += first.ready()
        leftover = postmaster_pid(data_dir / "pg")
        assert leftover is not None and psutil.pid_exists(leftover)
        first.process.kill()  # kill -9: no on_exit, no atexit
        first.process.wait(timeout=10)
        gone, alive = psutil.wait_procs([p for p in spawned if p.pid != leftover], timeout=15)
        assert not alive, f"the killed run left processes: {[p.pid for p in alive]}"  # workers, simulator
        assert psutil.pid_exists(leftover), "PostgreSQL outlives a kill -9 (what the next run must deal with)"

        second = Serving(data_dir)
        spawned += second.ready()
        now = postmaster_pid(data_dir / "pg")
        assert now is not None and psutil.pid_exists(now)
        spawned.append(psutil.Process(now))
        second.process.send_signal(signal.SIGTERM)
        second.process.wait(timeout=60)
        assert second.process.returncode == 0, second.text()
        left = psutil.wait_procs([p for p in spawned if p.is_running()], timeout=15)[1]
        assert not left, f"left running: {[p.pid for p in left]}\n{second.text()}"
        assert of_data_dir(data_dir) == [], second.text()  # no postgres of that data dir remains
    finally:  # never leave a process behind, whatever failed (postgres first asked nicely: it reaps its own)
        left = [p for p in {*spawned, *of_data_dir(data_dir)} if p.is_running()]
        for process in left:
            with contextlib.suppress(psutil.Error):
                process.terminate()
        for process in psutil.wait_procs(left, timeout=15)[1]:
            with contextlib.suppress(psutil.Error):
                process.kill()
