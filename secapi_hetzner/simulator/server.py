"""Serving the simulator: in a background thread for tests, or blocking for the CLI.

uvicorn sets ``TCP_NODELAY``, so keep-alive clients such as hcloud's ``requests.Session`` do not
pay the ~40 ms Nagle/delayed-ACK stall a plain ``http.server`` would add to every call.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Final

import uvicorn

from . import persistence
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


#: how often a simulator with a state file saves it while idle (it always saves when it stops)
SAVE_EVERY_SECONDS = 5.0


def run(host: str, port: int, *, dev_pace: bool = False, state_file: Path | None = None) -> None:
    """Serve until interrupted (``secapi-hetzner simulator``); ``dev_pace``: actions take time, as on Hetzner;
    ``state_file``: start from the state saved there and keep it there (``make run`` restarts seamlessly)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sock = _bind(host, port)
    state = SimState()
    if dev_pace:
        state.set_action_timing(DEV_PACE_SECONDS, commands=DEV_PACE_COMMANDS, guest_shutdown=DEV_PACE_GUEST_SHUTDOWN)
    stop_saving = threading.Event()
    if state_file is not None:
        if persistence.load(state, state_file):
            log.info("simulator state restored from %s (%d project(s))", state_file, len(state.projects))
        threading.Thread(target=_save_while_idle, args=(state, state_file, stop_saving), daemon=True,
                         name="simulator-save").start()
    log.info("Hetzner Cloud API simulator listening on %s/v1 (test control under /_sim/)", _url(sock))
    # uvicorn re-raises SIGTERM once it has shut down: end through the finally below (which saves), not
    # by the signal's default action
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        _server(state).run(sockets=[sock])
    finally:
        stop_saving.set()
        if state_file is not None:
            persistence.save(state, state_file)
            log.info("simulator state saved to %s", state_file)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _save_while_idle(state: SimState, path: Path, stop: threading.Event) -> None:
    """A snapshot every few seconds when nothing is under way and something changed since the last one
    (a kill -9 then loses little, and an idle simulator writes nothing)."""
    written: str | None = None
    while not stop.wait(SAVE_EVERY_SECONDS):
        try:
            if persistence.is_idle(state):
                written = persistence.save(state, path, settle=False, unless=written)
        except OSError:
            log.exception("simulator state not saved to %s", path)
