"""Which Hetzner a process may start against (``Settings.hetzner_backend_problem``), and the embedded
PostgreSQL's handle list after a process died holding it (``forget_dead_handles``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from secapi_hetzner.settings import Settings
from secapi_hetzner.store.embedded import HANDLES_FILE, forget_dead_handles


def settings(token: str = "", endpoint: str = "") -> Settings:
    return Settings(spec_dir=Path("spec"), data_dir=Path(".data"), hcloud_token=token, hcloud_endpoint=endpoint)


@pytest.mark.parametrize(("token", "endpoint", "builtin", "refused"), [
    ("", "", False, "no Hetzner backend"),  # would send simulated project names to the real API
    ("", "", True, None),  # serve --dev: the built-in simulator
    ("", "http://127.0.0.1:8181/v1", False, None),  # a simulator of one's own
    ("", "https://api.hetzner.cloud/v1", False, "real Hetzner API"),
    ("", "https://api.hetzner.cloud/v1", True, "real Hetzner API"),
    ("secret", "", False, None),
    ("secret", "https://api.hetzner.cloud/v1", False, None),
])
def test_a_process_starts_only_with_a_hetzner_it_can_talk_to(token: str, endpoint: str, builtin: bool,
                                                             refused: str | None) -> None:
    problem = settings(token, endpoint).hetzner_backend_problem(builtin_simulator=builtin)
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem and "\n" not in problem
        assert "secret" not in problem


def test_dead_holders_of_the_embedded_server_are_forgotten_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # exited and reaped: its pid is free
    (tmp_path / HANDLES_FILE).write_text(json.dumps([dead.pid, os.getpid(), os.getppid()]))
    assert forget_dead_handles(tmp_path) == [dead.pid]
    assert json.loads((tmp_path / HANDLES_FILE).read_text()) == [os.getpid(), os.getppid()]
    assert forget_dead_handles(tmp_path) == []  # nothing more to forget
    assert forget_dead_handles(tmp_path / "missing") == []  # a data directory never started
