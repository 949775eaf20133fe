"""Serve an ASGI app on loopback in a thread (real HTTP, as SECA clients use it), or the whole service as
its own process."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from secapi_hetzner.app.protocol import uvicorn_options

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(app: ASGIApp, **options: Any) -> Iterator[str]:
    """``options``: uvicorn settings over the service's own (``app.protocol.uvicorn_options``)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            **{**uvicorn_options(), **options})
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_process(env: dict[str, str], log: Path, *, workers: int = 1, timeout: float = 90.0) -> Iterator[str]:
    """``secapi-hetzner serve`` as a process of its own (gunicorn with its uvicorn workers, as in production)
    on ``env["PORT"]``: its base URL once ``/healthz`` answers; stopped with SIGTERM (then killed) after."""
    base = f"http://127.0.0.1:{env['PORT']}"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "secapi_hetzner.cli", "serve", "--workers", str(workers)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"the service never answered\n{log.read_text()}"
                time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
