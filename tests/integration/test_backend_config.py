"""A process that would talk to the real Hetzner API without a token refuses to start (issue 8, "nothing
sticks"): ``secapi-hetzner worker``, and ``serve`` without ``--dev``, need ``HCLOUD_TOKEN`` (the operator's
project, which the catalog is read with) or ``HCLOUD_ENDPOINT`` (a simulator). One line, a non-zero exit,
never a token."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"
SECRET = "hcloud-secret-token-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items()
            if key not in ("HCLOUD_TOKEN", "HCLOUD_ENDPOINT", "DATABASE_URL")}
    base.update(env)
    return subprocess.run([sys.executable, "-m", "secapi_hetzner.cli", *args], cwd=ROOT, env=base,
                          capture_output=True, text=True, timeout=60)


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == "", result.stdout
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [["worker"], ["serve", "--workers", "1"]])
def test_without_a_hetzner_token_or_endpoint_it_refuses_to_start(command: list[str]) -> None:
    started = time.monotonic()
    line = refused(run(*command, DATABASE_URL=UNREACHABLE_DB, PORT="1"), "HCLOUD_TOKEN", "HCLOUD_ENDPOINT")
    assert line.startswith(f"secapi-hetzner {command[0]}: "), line
    assert time.monotonic() - started < 30  # at once: no database, no gunicorn, no simulator first


@pytest.mark.parametrize("command", [["worker"], ["serve", "--workers", "1"], ["serve", "--dev", "--workers", "1"]])
def test_the_real_hetzner_endpoint_without_a_token_is_refused_too(command: list[str]) -> None:
    refused(run(*command, DATABASE_URL=UNREACHABLE_DB, PORT="1", HCLOUD_ENDPOINT="https://api.hetzner.cloud/v1/"),
            "HCLOUD_TOKEN")


def test_a_refusal_for_another_reason_never_prints_the_token() -> None:
    result = run("worker", HCLOUD_TOKEN=SECRET)  # no DATABASE_URL
    line = refused(result, "DATABASE_URL")
    assert SECRET not in line and SECRET[:12] not in result.stderr + result.stdout
