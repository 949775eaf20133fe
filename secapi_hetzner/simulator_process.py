"""Run the built-in Hetzner simulator as a child process (``make run`` without ``HCLOUD_TOKEN``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_SECONDS = 20.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class SimulatorProcess:
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def watch_parent(parent_pid: int, on_orphan: Callable[[], object], every: float = 0.5) -> threading.Thread:
    """Call ``on_orphan`` once this process no longer has ``parent_pid`` as its parent: the parent died
    without stopping it (a kill -9 of ``make run``), and nothing else ever will."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every)
        on_orphan()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def start_simulator(host: str = "127.0.0.1", port: int = 0, *, dev_pace: bool = False,
                    state_file: Path | None = None) -> SimulatorProcess:
    """``dev_pace``: Hetzner actions take (shortened) real time, as ``make run`` wants; otherwise they end on
    the next read (tests and benchmarks set their own pace).
    ``state_file``: the simulator starts from the state saved there and saves it there (``make run``)."""
    port = port or free_port(host)
    process = subprocess.Popen([sys.executable, "-m", "secapi_hetzner.cli", "simulator",
                                "--host", host, "--port", str(port), "--parent-pid", str(os.getpid()),
                                *([] if dev_pace else ["--instant"]),
                                *(["--state-file", str(state_file)] if state_file is not None else [])])
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Hetzner simulator exited during start-up")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return SimulatorProcess(process, f"http://{host}:{port}/v1")
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the Hetzner simulator did not start in time")
