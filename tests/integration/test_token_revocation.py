"""A revoked API token stops working within a second, in this process and in every other replica (they
share only PostgreSQL); ``secapi-hetzner tokens`` creates, lists and revokes (issue 8, "nothing sticks")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from secapi_hetzner import errors
from secapi_hetzner.app.auth import TokenRegistry, hash_token
from secapi_hetzner.app.services import current
from secapi_hetzner.store import Database
from tests.conftest import ROOT, TENANT, Service
from tests.support.servers import free_port, serve_process

WITHIN = 1.0  # seconds: how long a revoked token may still be accepted anywhere
WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"  # authenticated, database only


def cli_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("HCLOUD_TOKEN", "SECA_SECRET_KEY")}
    env.update(DATABASE_URL=current().settings.database_url, SECA_DATA_DIR=str(current().settings.data_dir),
               PYTHONUNBUFFERED="1")
    return env


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "secapi_hetzner.cli", *args], cwd=ROOT, env=cli_env(),
                          capture_output=True, text=True, timeout=60)


def status(base: str, token: str) -> int:
    return httpx.get(f"{base}{WORKSPACES}", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


@pytest.fixture(scope="module")
def replica(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second service process on the same database (another replica): its base URL."""
    env = cli_env()
    env.update(PORT=str(free_port()), HCLOUD_ENDPOINT=service.simulator.url, SECA_INPROCESS_WORKER="0")
    with serve_process(env, tmp_path_factory.mktemp("replica") / "serve.log") as base:
        yield base


def token_id(label: str) -> int:
    db = Database(current().settings.database_url, max_size=1)
    try:
        [row] = [row for row in TokenRegistry(db).listed(TENANT) if row["label"] == label]
        return int(row["id"])
    finally:
        db.close()


def refused_within(bases: list[str], token: str, started: float) -> dict[str, float]:
    """Poll every base until it answers 401; how long after ``started`` each did."""
    took: dict[str, float] = {}
    while len(took) < len(bases) and time.monotonic() - started < 5 * WITHIN:
        for base in bases:
            if base not in took and status(base, token) == 401:
                took[base] = time.monotonic() - started
        time.sleep(0.01)
    return took


def test_a_revoked_token_is_refused_within_a_second_here_and_by_another_replica(
        service: Service, replica: str) -> None:
    token = current().tokens.issue(TENANT, label="revocable")
    bases = [service.url, replica]
    deadline = time.monotonic() + 5  # a new token reaches the replica at its next look too
    while status(replica, token) != 200:
        assert time.monotonic() < deadline, "the replica never accepted the new token"
        time.sleep(0.05)
    assert [status(base, token) for base in bases] == [200, 200]
    for base in bases:  # warm: both have confirmed the token from their map just now
        assert status(base, token) == 200

    db = Database(current().settings.database_url, max_size=1)  # the revocation comes from elsewhere
    try:
        started = time.monotonic()
        assert TokenRegistry(db).revoke(token_id("revocable")) is not None
    finally:
        db.close()
    took = refused_within(bases, token, started)
    assert set(took) == set(bases), f"still accepted after {5 * WITHIN}s: {set(bases) - set(took)}"
    assert max(took.values()) < WITHIN, took
    time.sleep(0.3)
    assert [status(base, token) for base in bases] == [401, 401]  # and it stays refused
    assert status(service.url, service.token) == 200  # the other tokens still work


def test_the_cli_creates_lists_and_revokes_tokens_never_showing_one(service: Service, replica: str) -> None:
    created = cli("tokens", "--tenant", TENANT, "--label", "cli-made")  # the creation usage make run relies on
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert re.fullmatch(r"seca_\S+", token), created.stdout
    assert status(service.url, token) == 200

    listed = cli("tokens", "list", "--tenant", TENANT)
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if "cli-made" in line]
    assert line.split()[:4] == [str(token_id("cli-made")), TENANT, "admin", "cli-made"]  # id, tenant, subject, name
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", line), line  # created
    for secret in (token, hash_token(token), hash_token(service.token), service.token):
        assert secret not in listed.stdout + listed.stderr
        assert secret[:16] not in listed.stdout

    made = token_id("cli-made")
    revoked = cli("tokens", "revoke", str(made))
    assert revoked.returncode == 0, revoked.stderr
    assert token not in revoked.stdout + revoked.stderr
    started = time.monotonic()
    took = refused_within([service.url, replica], token, started)
    assert len(took) == 2 and max(took.values()) < WITHIN, took

    again = cli("tokens", "revoke", str(made))
    assert again.returncode == 1 and "no live token" in again.stderr
    assert "cli-made" not in cli("tokens", "list", "--tenant", TENANT).stdout  # live tokens only, by default
    everything = cli("tokens", "list", "--all")
    assert re.search(r"cli-made\s+\S+\s+\d{4}-", everything.stdout), everything.stdout  # with its revocation time
    assert cli("tokens", "revoke").returncode == 2  # the id is required


def test_the_cli_gives_a_new_tenant_its_first_administrator(service: Service) -> None:
    """A token for a subject of a tenant nobody administers yet may do nothing; --admin makes the subject the
    tenant's administrator (the admin role and assignment), as an operator sets up a new tenant."""
    plain = cli("tokens", "--tenant", "newco", "--subject", "bob")
    assert plain.returncode == 0, plain.stderr
    first = cli("tokens", "--tenant", "newco", "--subject", "alice", "--admin")
    assert first.returncode == 0, first.stderr
    def listing(token: str) -> int:
        return httpx.get(f"{service.url}/providers/seca.workspace/v1/tenants/newco/workspaces",
                         headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code

    def settled(token: str) -> int:
        """A token made by another process is known here within WITHIN (an unknown token reloads the map at
        most once a second): the answer once that has passed, or the first one that is not 401."""
        deadline = time.monotonic() + WITHIN + 0.5
        while (status := listing(token)) == 401 and time.monotonic() < deadline:
            time.sleep(0.1)
        return status

    assert settled(plain.stdout.strip()) == 403  # authenticated, but nothing assigned to bob
    assert settled(first.stdout.strip()) == 200


def test_a_flood_of_wrong_tokens_reloads_the_tokens_at_most_once_a_second(service: Service,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(current().settings.database_url, max_size=2)
    try:
        registry = TokenRegistry(db)
        reloads: list[float] = []
        reload = registry.refresh
        monkeypatch.setattr(registry, "refresh", lambda: (reloads.append(time.monotonic()), reload())[1])
        started = time.monotonic()
        for n in range(200):
            assert registry.tenant_for(f"seca_wrong-{n}") is None
        assert registry.tenant_for(service.token) == TENANT
        seconds = time.monotonic() - started
        assert len(reloads) <= 2 + seconds, reloads  # the first look, then one a second at most
    finally:
        db.close()


def test_tokens_file_entries_still_authenticate(tmp_path: Path) -> None:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps({"tokens": [{"tenant": "filed", "sha256": hash_token("seca_filed")}]}))
    registry = TokenRegistry(None, tokens_file)
    assert registry.tenant_for("seca_filed") == "filed"
    assert registry.tenant_for("seca_other") is None


def test_with_the_database_away_a_token_is_refused_as_unavailable_not_served_stale(tmp_path: Path) -> None:
    """A map nobody could confirm for a second may hold a revoked token: 503, at once after one failed look
    (requests must not all wait on the event loop for a database that is away)."""
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps({"tokens": [{"tenant": "filed", "sha256": hash_token("seca_filed")}]}))
    db = Database("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", max_size=1, timeout=1)
    try:
        registry = TokenRegistry(db, tokens_file)
        started = time.monotonic()
        with pytest.raises(errors.Unavailable):
            registry.tenant_for("seca_filed")
        assert time.monotonic() - started < 1.5  # waited for a connection at most TOKEN_CHECK_WAIT_SECONDS
        started = time.monotonic()
        for _ in range(20):
            with pytest.raises(errors.Unavailable):
                registry.tenant_for("seca_filed")
        assert time.monotonic() - started < 0.5  # refused at once, no database wait
    finally:
        db.close()


def test_a_token_that_cannot_be_verified_is_answered_503(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = current().tokens
    monkeypatch.setattr(registry, "_checked_at", -1e9)  # the poller has not confirmed the map for ages …

    def away(timeout: float | None = None) -> None:
        raise errors.Unavailable("The database is not reachable right now.")

    monkeypatch.setattr(registry, "check", away)  # … and the database is away
    monkeypatch.setattr(registry, "_ensure_poller", lambda: None)
    response = service.get(WORKSPACES)
    assert response.status_code == 503, response.text
