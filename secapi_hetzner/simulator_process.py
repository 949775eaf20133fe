"""Run the built-in Hetzner simulator as a child process (``make run`` without ``HCLOUD_TOKEN``)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass

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


def start_simulator(host: str = "127.0.0.1", port: int = 0, *, dev_pace: bool = False) -> SimulatorProcess:
    """``dev_pace``: Hetzner actions take (shortened) real time, as ``make run`` wants; benchmarks set their own."""
    port = port or free_port(host)
    process = subprocess.Popen([sys.executable, "-m", "secapi_hetzner.cli", "simulator",
                                "--host", host, "--port", str(port), *(["--dev-pace"] if dev_pace else [])])
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
