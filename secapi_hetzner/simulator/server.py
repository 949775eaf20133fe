"""Serving the simulator: in a background thread for tests, or blocking for the CLI.

uvicorn sets ``TCP_NODELAY``, so keep-alive clients such as hcloud's ``requests.Session`` do not
pay the ~40 ms Nagle/delayed-ACK stall a plain ``http.server`` would add to every call.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Final

import uvicorn

from .app import create_app
from .state import SimState

log = logging.getLogger("secapi_hetzner.simulator")
STARTUP_TIMEOUT: Final = 10.0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _server(state: SimState | None) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(state), log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
    )
    return uvicorn.Server(config)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class RunningSimulator:
    """A simulator served by a daemon thread; ``url`` is the ``api_endpoint`` for ``hcloud.Client``."""

    def __init__(
        self, server: uvicorn.Server, thread: threading.Thread, base_url: str, state: SimState
    ) -> None:
        self._server = server
        self._thread = thread
        self.base_url = base_url
        self.url = f"{base_url}/v1"
        self.state = state

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0, state: SimState | None = None
) -> RunningSimulator:
    """Start serving on ``host:port`` (0: any free port) and return once connections are accepted."""
    state = state if state is not None else SimState()
    sock = _bind(host, port)
    server = _server(state)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="hcloud-simulator"
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the Hetzner simulator did not start")
        time.sleep(0.005)
    return RunningSimulator(server, thread, _url(sock), state)


#: ``make run``'s pace: Hetzner's real action times shortened (a create takes 10–30 s there), never zero
DEV_PACE_SECONDS = 1.0
DEV_PACE_COMMANDS = {"create_server": 3.0, "change_server_type": 3.0, "create_image": 3.0}
#: seconds a guest takes to power off after a shutdown's ACPI signal
DEV_PACE_GUEST_SHUTDOWN = 2.0


def run(host: str, port: int, *, dev_pace: bool = False) -> None:
    """Serve until interrupted (``secapi-hetzner simulator``); ``dev_pace``: actions take time, as on Hetzner."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sock = _bind(host, port)
    state = SimState()
    if dev_pace:
        state.set_action_timing(DEV_PACE_SECONDS, commands=DEV_PACE_COMMANDS, guest_shutdown=DEV_PACE_GUEST_SHUTDOWN)
    log.info("Hetzner Cloud API simulator listening on %s/v1 (test control under /_sim/)", _url(sock))
    _server(state).run(sockets=[sock])
