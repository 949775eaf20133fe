"""The package surface, its independence from the rest of the project, its size, and the CLI entry."""

from __future__ import annotations

import ast
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

import secapi_hetzner.simulator as simulator
from secapi_hetzner.simulator import RunningSimulator, SimState, create_app, serve_in_thread

PACKAGE = Path(simulator.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def test_public_names() -> None:
    assert sorted(simulator.__all__) == [
        "RunningSimulator",
        "SimState",
        "create_app",
        "run",
        "serve_in_thread",
    ]
    assert simulator.__doc__ and "/_sim/" in simulator.__doc__


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_imports_nothing_from_the_project_and_not_hcloud() -> None:
    imported = {name for path in MODULES for name in _imports(path)}

    assert not {n for n in imported if n.split(".")[0] in ("hcloud", "requests")}
    assert not {
        n for n in imported if n.startswith("secapi_hetzner") and not n.startswith(simulator.__name__)
    }


def test_files_stay_small() -> None:
    sizes = {path.name: len(path.read_text().splitlines()) for path in MODULES}

    assert statistics.median(sizes.values()) <= 150, sizes
    assert max(sizes.values()) <= 400, sizes


def test_serve_in_thread_on_a_given_port_with_a_given_state() -> None:
    state = SimState(valid_tokens={"t"})
    with serve_in_thread(port=0, state=state) as sim:
        assert isinstance(sim, RunningSimulator) and sim.state is state
        assert sim.url == f"{sim.base_url}/v1" and re.fullmatch(r"http://127\.0\.0\.1:\d+", sim.base_url)
        assert httpx.get(f"{sim.url}/locations", headers={"Authorization": "Bearer t"}).status_code == 200
    assert create_app(state).state.sim is state


def test_run_serves_and_says_where(tmp_path: Path) -> None:
    with serve_in_thread() as probe:  # find a free port, then release it
        port = int(probe.base_url.rsplit(":", 1)[1])
    code = f"from secapi_hetzner.simulator import run; run('127.0.0.1', {port})"
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert f"http://127.0.0.1:{port}/v1" in line
        deadline = time.monotonic() + 5
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/v1/locations", headers={"Authorization": "Bearer x"}
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.02)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(5)
