"""HTTP hygiene of the served process (gunicorn and its uvicorn workers, as `make run` and production
serve): no Server header, security headers, a Bearer challenge on 401, keep-alive longer than client
pools keep idle connections, bounded request heads, slow partial heads cut off, /readyz detail for the
machine itself and token holders only, a DELETE 202 without a body, Swagger UI that can be switched off."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from secapi_hetzner.app.protocol import MAX_HEAD_BYTES, MAX_HEADERS
from secapi_hetzner.app.services import current
from tests.conftest import TENANT, Service
from tests.support.servers import free_port, serve_process

WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
HEAD_TIMEOUT = 1.0


def _serve(service: Service, log_dir: Path, **extra: str) -> Iterator[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("HCLOUD_TOKEN", "SECA_SECRET_KEY")}
    env.update(DATABASE_URL=current().settings.database_url, SECA_DATA_DIR=str(current().settings.data_dir),
               PORT=str(free_port()), HCLOUD_ENDPOINT=service.simulator.url, SECA_INPROCESS_WORKER="0",
               SECA_HEAD_TIMEOUT=str(HEAD_TIMEOUT), PYTHONUNBUFFERED="1", **extra)
    with serve_process(env, log_dir / "serve.log") as base:
        yield base


@pytest.fixture(scope="module", params=["httptools", "h11"])
def served(service: Service, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[str]:
    """The service as `serve` runs it, with each request parser it can use (``SECA_HTTP_PARSER``): the
    limits hold for both."""
    yield from _serve(service, tmp_path_factory.mktemp("served"), SECA_HTTP_PARSER=request.param)


def _auth(service: Service) -> dict[str, str]:
    return {"Authorization": f"Bearer {service.token}"}


def test_answers_carry_security_headers_and_no_server_header(service: Service, served: str) -> None:
    answer = httpx.get(f"{served}{WORKSPACES}", headers=_auth(service))
    assert answer.status_code == 200
    assert "server" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["referrer-policy"] == "no-referrer"


def test_a_401_carries_a_bearer_challenge(served: str) -> None:
    answer = httpx.get(f"{served}{WORKSPACES}", headers={"Authorization": "Bearer wrong"})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer ")
    assert httpx.get(f"{served}{WORKSPACES}").headers["www-authenticate"].startswith("Bearer ")


def test_idle_keep_alive_connections_outlive_a_client_pool_pause(service: Service, served: str) -> None:
    with httpx.Client(base_url=served, headers=_auth(service)) as client:
        assert client.get(WORKSPACES).status_code == 200
        time.sleep(6)  # longer than uvicorn's default of 5 s
        assert client.get(WORKSPACES).status_code == 200  # the same pooled connection, still open
    assert "keep-alive" in httpx.get(f"{served}/healthz").headers.get("connection", "keep-alive")


def _raw(base: str, data: bytes, read_timeout: float = 10.0) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
        return b"".join(chunks)


def test_a_huge_header_is_refused_and_the_service_stays_well(service: Service, served: str) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (2 * 1024 * 1024) + b"\r\n\r\n"
    answer = _raw(served, head)
    assert answer == b"" or answer.split(b" ")[1] in (b"400", b"413", b"431"), answer[:100]
    assert httpx.get(f"{served}{WORKSPACES}", headers=_auth(service)).status_code == 200


def test_a_slow_partial_head_is_cut_off(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=HEAD_TIMEOUT * 10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the end of the head
        started = time.monotonic()
        assert sock.recv(1024) == b""  # the server closed it …
        assert time.monotonic() - started < HEAD_TIMEOUT * 5  # … after the head timeout, not never


def test_readyz_detail_only_for_the_machine_itself_or_a_token(service: Service, served: str) -> None:
    local = httpx.get(f"{served}/readyz").json()
    assert "checks" in local and local["checks"]["database"] == "ok"  # the machine itself (127.0.0.1)
    # a client outside, as a reverse proxy on this machine reports it: the status only …
    outside = {"X-Forwarded-For": "203.0.113.9"}
    assert httpx.get(f"{served}/readyz", headers=outside).json() == {"status": "ready"}
    assert httpx.get(f"{served}/readyz", headers={**outside, "Authorization": "Bearer wrong"}).json() == \
        {"status": "ready"}
    # … unless it holds a valid token
    assert "checks" in httpx.get(f"{served}/readyz", headers={**outside, **_auth(service)}).json()


def test_a_delete_answered_202_has_no_body(service: Service, served: str) -> None:
    with httpx.Client(base_url=served, headers=_auth(service)) as client:
        assert client.put(f"{WORKSPACES}/hygiene-delete", json={"spec": {}}).status_code in (200, 201)
        deleted = client.delete(f"{WORKSPACES}/hygiene-delete")
        assert deleted.status_code == 202 and deleted.content == b""


def test_swagger_ui_is_served_and_can_be_switched_off(service: Service, served: str,
                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    ui = "/providers/seca.workspace/ui/"
    assert httpx.get(f"{served}{ui}").status_code == 200
    for base in _serve(service, tmp_path_factory.mktemp("no-ui"), SECA_SWAGGER_UI="0"):
        assert httpx.get(f"{base}{ui}").status_code == 404
        assert httpx.get(f"{base}{WORKSPACES}", headers=_auth(service)).status_code == 200


def _worker_rss_kib(base: str) -> int:
    """Resident memory of the gunicorn worker(s) serving ``base`` (children of the serve process)."""
    port = base.rsplit(":", 1)[1]
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes()
            text = status.read_text()
        except OSError:
            continue
        if b"secapi_hetzner.cli" not in cmdline or b"serve" not in cmdline:
            continue
        environ = (status.parent / "environ").read_bytes() if (status.parent / "environ").exists() else b""
        if f"PORT={port}".encode() not in environ.split(b"\0"):
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def test_hostile_inputs_leave_memory_bounded(service: Service, served: str) -> None:
    """Oversized bodies (declared and streamed) and heads, repeated: answered, and the workers' memory
    stays within a small margin (it grew by hundreds of MB per such request before the limits)."""
    httpx.get(f"{served}{WORKSPACES}", headers=_auth(service))  # warm up
    before = _worker_rss_kib(served)
    assert before > 0
    big = b"{" + b" " * (6 * 1024 * 1024) + b"}"
    for _ in range(5):
        assert httpx.put(f"{served}{WORKSPACES}/mem", content=big, timeout=30,
                         headers={**_auth(service), "Content-Type": "application/json"}).status_code == 413

        def streamed() -> Iterator[bytes]:
            for _ in range(100):
                yield b" " * 65536

        assert httpx.put(f"{served}{WORKSPACES}/mem", content=streamed(), timeout=30,
                         headers={**_auth(service), "Content-Type": "application/json"}).status_code == 413
        _raw(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (8 * 1024 * 1024) + b"\r\n\r\n")
    assert httpx.get(f"{served}{WORKSPACES}", headers=_auth(service)).status_code == 200
    grown_mib = (_worker_rss_kib(served) - before) / 1024
    assert grown_mib < 48, f"the workers grew by {grown_mib:.0f} MiB"


@pytest.mark.parametrize("size", [MAX_HEAD_BYTES + 1, 100_000, 1_000_000])
def test_an_oversized_header_sent_at_once_is_431(service: Service, served: str, size: int) -> None:
    """The head's bytes are counted by the service: h11's own limit applies only to a head arriving in
    pieces (a whole 100 KB head read at once passed), httptools has none."""
    answer = httpx.get(f"{served}/healthz", headers={"X-Big": "a" * size}, timeout=10)
    assert answer.status_code == 431, answer.text[:200]
    assert answer.json()["type"] == "http://secapi.cloud/errors/invalid-request"
    assert httpx.get(f"{served}{WORKSPACES}", headers=_auth(service)).status_code == 200


def test_too_many_headers_are_431(service: Service, served: str) -> None:
    many = {f"X-H{i}": "v" for i in range(MAX_HEADERS + 1)}
    answer = httpx.get(f"{served}{WORKSPACES}", headers=_auth(service) | many)
    assert answer.status_code == 431 and "header fields" in answer.json()["detail"]


def test_a_large_body_arriving_with_its_head_is_not_mistaken_for_a_large_head(service: Service, served: str) -> None:
    body = {"spec": {}, "annotations": {f"note-{i}": "y" * 1000 for i in range(64)}}  # ~65 KB, one write
    answer = httpx.put(f"{served}{WORKSPACES}/big-body", json=body, headers=_auth(service), timeout=30)
    assert answer.status_code in (200, 201), answer.text[:300]


def test_a_connection_that_sends_nothing_is_closed(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=HEAD_TIMEOUT * 10) as idle:
        started = time.monotonic()
        assert idle.recv(1024) == b""
        assert time.monotonic() - started < HEAD_TIMEOUT * 5


def test_redirects_do_not_trust_the_host_header(served: str) -> None:
    answer = httpx.get(f"{served}/providers/seca.workspace/ui", headers={"Host": "attacker.example"},
                       follow_redirects=False)
    assert answer.is_redirect, answer.status_code  # Swagger UI moves /ui to /ui/
    location = answer.headers["location"]
    assert "attacker.example" not in location and location.startswith("/"), location
