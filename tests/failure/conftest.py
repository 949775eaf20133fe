"""The failure suite's shared pieces.

* SECA paths and bodies for the failure workspace;
* :class:`Hetzner`, a view of the tenant's simulated Hetzner project (objects, actions, faults);
* workers built exactly like the service's own (``build_services``: real hcloud client, real
  PostgreSQL), in-process or as ``secapi-hetzner worker`` subprocesses;
* :func:`wait_until`, the only way these tests wait: bounded polling on an observable condition.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from secapi_hetzner.app.factory import build_services
from secapi_hetzner.app.services import current
from secapi_hetzner.runner import Worker
from secapi_hetzner.simulator import RunningSimulator
from secapi_hetzner.store import Database
from secapi_hetzner.store.operations import Operation, Queue
from tests.conftest import ROOT, TENANT, Service, make_settings

T = TypeVar("T")

PROJECT = f"simulated-project-{TENANT}"  # the Hetzner project the simulator gives tenant "acme"
WS = "ws-failure"
WORKSPACE = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
LOCAL_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}
VOLUME_SKU = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/hetzner-volume"}
CAMEL_CASE = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$")
RESOURCE_LABEL = "secapi.cloud/resource"


# -- bounded waiting -----------------------------------------------------------------------------------


def wait_until(probe: Callable[[], T], timeout: float = 15.0, what: str = "the condition",
               interval: float = 0.01) -> T:
    """Poll ``probe`` until it returns something truthy (returned); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# -- SECA side -----------------------------------------------------------------------------------------


def ssh_key(seed: str) -> str:
    """A well-formed OpenSSH ed25519 public key (the blob embeds its type, as Hetzner checks)."""
    kind = b"ssh-ed25519"
    body = (seed.encode() * 32)[:32]
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(body)) + body
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {seed}@failure-suite"


def instance_body(boot: str, *, sku: str = "cx23", zone: str = "fsn1", data: tuple[str, ...] = (),
                  labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "skuRef": {"resource": f"seca.compute/v1/tenants/{TENANT}/skus/{sku}"}, "zone": zone,
        "bootVolume": {"deviceRef": {"resource": f"seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/"
                                                 f"block-storages/{boot}"}},
        **extra,
    }
    if data:
        spec["dataVolumes"] = [{"deviceRef": {"resource": f"block-storages/{name}"}} for name in data]
    return {"labels": labels or {"suite": "failure"}, "spec": spec}


def storage_body(size: int, *, volume: bool = False) -> dict[str, Any]:
    return {"spec": {"sizeGB": size, "skuRef": VOLUME_SKU if volume else LOCAL_SKU}}


NETWORK_API = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"


def internet_facing_network(tag: str, octet: int) -> list[tuple[str, dict[str, Any]]]:
    """PUTs of network ``net<tag>`` (10.<octet>.0.0/16) whose subnet ``sub<tag>`` (10.<octet>.1.0/24) routes
    ``0.0.0.0/0`` to internet gateway ``ig<tag>``: instances with a NIC there get public interfaces."""
    seca = f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net{tag}"
    return [
        (f"{NETWORK_API}/networks/net{tag}", {"spec": {"cidr": {"ipv4": f"10.{octet}.0.0/16"}, "skuRef": {
            "resource": f"seca.network/v1/tenants/{TENANT}/skus/hetzner-private-network"}}}),
        (f"{NETWORK_API}/internet-gateways/ig{tag}", {"spec": {}}),
        (f"{NETWORK_API}/networks/net{tag}/route-tables/rt{tag}", {"spec": {"routes": [
            {"destinationCidrBlock": "0.0.0.0/0", "targetRef": {"resource": f"internet-gateways/ig{tag}"}}]}}),
        (f"{NETWORK_API}/networks/net{tag}/subnets/sub{tag}", {"spec": {
            "cidr": {"ipv4": f"10.{octet}.1.0/24"}, "zone": "fsn1",
            "routeTableRef": {"resource": f"{seca}/route-tables/rt{tag}"}}})]


def states(body: dict[str, Any]) -> list[str]:
    """The condition history, newest first (what SECA clients assert)."""
    return [c["state"] for c in body["status"]["conditions"]]


def read(service: Service, path: str) -> dict[str, Any]:
    response = service.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def accepted(response: httpx.Response, *codes: int) -> httpx.Response:
    assert response.status_code in (codes or (200, 201, 202)), response.text
    return response


def assert_failed(body: dict[str, Any], quoting: str) -> dict[str, Any]:
    """The resource is in ``error``; its newest condition names a CamelCase reason and quotes Hetzner."""
    condition: dict[str, Any] = body["status"]["conditions"][0]
    assert body["status"]["state"] == "error", body["status"]
    assert condition["state"] == "error"
    assert CAMEL_CASE.match(condition.get("reason", "")), condition
    assert quoting in condition.get("message", ""), condition
    return condition


# -- the database --------------------------------------------------------------------------------------


def sql(statement: str, *params: Any) -> list[dict[str, Any]]:
    """A statement against the service's database (assertions and staging crashes)."""
    with current().db.connection() as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def resource_id(kind: str, name: str) -> str:
    rows = sql("SELECT id FROM resources WHERE tenant = %s AND workspace = %s AND kind = %s AND name = %s",
               TENANT, WS, kind, name)
    assert len(rows) == 1, rows
    return str(rows[0]["id"])


def operations(kind: str, name: str) -> list[dict[str, Any]]:
    """Every operation row of one resource, oldest first."""
    return sql("SELECT o.id, o.reason, o.status, o.attempts, o.step, o.action_id, o.worker_id, o.last_error "
               "FROM operations o JOIN resources r ON r.id = o.resource_id "
               "WHERE r.tenant = %s AND r.workspace = %s AND r.kind = %s AND r.name = %s ORDER BY o.id",
               TENANT, WS, kind, name)


def make_stale(worker_id: str) -> None:
    """Age a worker's heartbeat by an hour: what a killed worker looks like once ``stale_after`` passed."""
    sql("UPDATE workers SET last_heartbeat = now() - interval '1 hour' WHERE id = %s", worker_id)


def claim_as_dead_worker(kind: str, name: str) -> tuple[str, Operation]:
    """A worker claims the resource's due operation and dies before doing anything: the row stays ``doing``."""
    queue = Queue(current().db)
    dead = f"dead-{uuid.uuid4().hex[:8]}"
    queue.register(dead)
    op = wait_until(lambda: queue.claim(dead), 10, "an operation to be due")
    assert op is not None and str(op.resource_id) == resource_id(kind, name)
    return dead, op


# -- the Hetzner side ----------------------------------------------------------------------------------


class Hetzner:
    """What the tenant's simulated Hetzner project holds, and the simulator's fault controls for it."""

    def __init__(self, simulator: RunningSimulator) -> None:
        self.simulator = simulator
        self.state = simulator.state

    def objects(self, plural: str) -> list[dict[str, Any]]:
        project: dict[str, list[dict[str, Any]]] = self.state.dump(PROJECT)["projects"].get(PROJECT, {})
        return project.get(plural, [])

    def owned(self, plural: str, kind: str, name: str) -> list[dict[str, Any]]:
        """The objects labelled as belonging to one SECA resource."""
        rid = resource_id(kind, name)
        return [obj for obj in self.objects(plural) if obj["labels"].get(RESOURCE_LABEL) == rid]

    def servers(self) -> list[dict[str, Any]]:
        return self.objects("servers")

    def volumes(self) -> list[dict[str, Any]]:
        return self.objects("volumes")

    def leftovers(self) -> dict[str, list[Any]]:
        """Everything the service may create, per collection, that still exists (should be nothing)."""
        project = self.state.dump(PROJECT)["projects"].get(PROJECT, {})
        kinds = ("servers", "volumes", "ssh_keys", "placement_groups", "primary_ips")
        return {plural: [obj.get("name", obj["id"]) for obj in project[plural]] for plural in kinds
                if project.get(plural)}

    def fault(self, method: str, path: str, **settings: Any) -> int:
        """A fault on this project's requests only (catalog reads of the operator project pass)."""
        return self.state.inject_fault(path, method=method, token=PROJECT, **settings)

    def armed(self) -> list[dict[str, Any]]:
        return self.state.list_faults()

    def actions(self, command: str | None = None, status: str | None = None, *, server: int | None = None
                ) -> list[dict[str, Any]]:
        """Hetzner's actions, oldest first: of one command, in one status, touching one server."""
        return [a for a in self.state.actions(status, PROJECT) if (command is None or a["command"] == command)
                and (server is None or {"id": server, "type": "server"} in a["resources"])]

    def requests(self, route: str) -> int:
        """How many requests this project sent to ``"METHOD /template"`` since the simulator was reset."""
        count: int = self.state.request_counts(PROJECT)["by_route"].get(route, 0)
        return count

    def in_flight(self) -> int:
        """Requests the simulator is still answering (a late fault sleeps in one)."""
        return len(self.simulator._server.server_state.tasks)  # noqa: SLF001 - our own test server

    def quiet(self, timeout: float = 10.0) -> None:
        """Wait until no request is in flight, so late effects have landed before the test looks."""
        wait_until(lambda: self.in_flight() == 0, timeout, "the simulator to finish its requests")


@pytest.fixture
def hetzner(simulator: RunningSimulator) -> Hetzner:
    return Hetzner(simulator)


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    accepted(service.put(WORKSPACE, {"spec": {}}), 200, 201)


@pytest.fixture(autouse=True)
def isolated(service: Service) -> Iterator[None]:
    """Work a failed test left unfinished must not run during the next one (the database is per module)."""
    yield
    sql("UPDATE operations SET status = 'cancelled', worker_id = NULL WHERE status IN ('todo', 'doing')")


# -- workers -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def worker_db(service: Service) -> Iterator[Database]:
    """A pool of its own for the test workers, so they never starve the service's handlers."""
    db = Database(current().settings.database_url, max_size=8)
    yield db
    db.close()


class Workers:
    """Builds in-process workers the way the service does, runs them in threads, stops them all."""

    def __init__(self, spec_dir: Path, simulator: RunningSimulator, db: Database) -> None:
        self.spec_dir = spec_dir
        self.simulator = simulator
        self.db = db
        self.threads: list[tuple[Worker, threading.Thread]] = []

    def new(self, **settings: Any) -> Worker:
        values: dict[str, Any] = {"hetzner_requests_per_hour": 1_000_000, **settings}
        config = make_settings(self.spec_dir, current().settings.database_url, self.simulator, **values)
        return build_services(config, self.db).worker

    def start(self, worker: Worker) -> Worker:
        self.threads.append((worker, worker.start_thread()))
        return worker

    def stop(self) -> None:
        for worker, _ in self.threads:
            worker.stop()
        for worker, thread in self.threads:
            thread.join(timeout=15)
            assert not thread.is_alive(), f"worker {worker.id} did not stop"
        self.threads.clear()


@pytest.fixture
def workers(spec_dir: Path, simulator: RunningSimulator, worker_db: Database) -> Iterator[Workers]:
    made = Workers(spec_dir, simulator, worker_db)
    yield made
    made.stop()


class WorkerProcess:
    """``secapi-hetzner worker`` as its own process, configured through the environment only."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "secapi_hetzner.cli", "worker"], cwd=ROOT, env=env,
                                        stdout=self._out, stderr=subprocess.STDOUT)

    @property
    def id(self) -> str:
        """The worker's id as registered in PostgreSQL (``<host>-<pid>-<suffix>``)."""
        rows = wait_until(lambda: sql("SELECT id FROM workers WHERE id LIKE %s", f"%-{self.process.pid}-%"),
                          30, f"worker process {self.process.pid} to register\n{self.output()}")
        return str(rows[0]["id"])

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, exactly like a crashed host."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._out.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._out.close()


@pytest.fixture
def spawn_worker(simulator: RunningSimulator, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def spawn(**env: str) -> WorkerProcess:
        base = {key: value for key, value in os.environ.items()
                if key not in ("HCLOUD_TOKEN", "SECA_SECRET_KEY", "HCLOUD_TIMEOUT")}
        base.update(
            DATABASE_URL=current().settings.database_url,
            HCLOUD_ENDPOINT=simulator.url,  # simulator mode: tenant acme → project simulated-project-acme
            SECA_DATA_DIR=str(current().settings.data_dir),  # the same secret key file as the service
            SECA_RETRY_BASE="0.05", SECA_ACTION_POLL="0.05", SECA_WORKER_STALE_AFTER="1.0", SECA_ACTION_TIME_SCALE="0",
            HCLOUD_REQUESTS_PER_HOUR="1000000", SECA_RESYNC_SECONDS="3600", PYTHONUNBUFFERED="1",
        )
        base.update(env)
        process = WorkerProcess(base, tmp_path / f"worker-{len(started)}.log")
        started.append(process)
        return process

    yield spawn
    for process in started:
        process.stop()


# -- driving one scenario against a worker with a short hcloud timeout -----------------------------------

CLIENT_TIMEOUT = 0.15  # the worker's hcloud timeout (Settings.hetzner_timeout)
LATE = 2 * CLIENT_TIMEOUT  # an answer this late is one the client never sees

#: Transient trouble: each must be retried until the step succeeds, invisibly to the SECA client.
TRANSIENT: dict[str, dict[str, Any]] = {
    "500-server-error": {"status": 500},
    "503-unavailable": {"status": 503},
    "429-rate-limited": {"status": 429},
    "423-locked": {"status": 423},
    "timeout-nothing-done": {"status": 503, "latency": LATE},
    "timeout-done-late": {"latency": LATE},  # Hetzner carries the request out after the client gave up
    "answer-lost": {"status": 500, "after_effect": True},  # done, but the answer is an error
    "answer-lost-in-timeout": {"after_effect": True, "latency": LATE},  # done, the answer comes too late
}


@pytest.fixture(scope="module")
def worker(service: Service, spec_dir: Path, simulator_session: RunningSimulator, worker_db: Database) -> Worker:
    """The executing worker, with a short hcloud timeout so that latency faults become client timeouts."""
    return Workers(spec_dir, simulator_session, worker_db).new(hetzner_timeout=CLIENT_TIMEOUT)


@dataclass
class Run:
    """Drives one SECA scenario and checks, after each step, that every armed fault actually fired."""

    service: Service
    hetzner: Hetzner
    worker: Worker
    armed: list[int] = field(default_factory=list)
    late: bool = False  # the faults carry requests out late: wait for them to land before looking

    def arm(self, targets: list[tuple[str, str]], **fault: Any) -> None:
        for method, path in targets:
            self.armed.append(self.hetzner.fault(method, path, **fault))

    def converge(self) -> None:
        """Run every operation to its end, let late requests land, and check the faults were all met."""
        self.worker.drain(timeout=30)
        if self.late:
            self.hetzner.quiet()
        left = [f for f in self.hetzner.armed() if f["id"] in self.armed]
        assert not left, f"faults never reached: {left}"
        self.armed.clear()

    def put(self, path: str, body: dict[str, Any], *codes: int) -> dict[str, Any]:
        result: dict[str, Any] = accepted(self.service.put(path, body), *(codes or (200, 201))).json()
        return result

    def post(self, path: str) -> None:
        accepted(self.service.post(path), 202)

    def delete(self, path: str) -> None:
        accepted(self.service.delete(path), 202)

    def gone(self, path: str) -> None:
        assert self.service.get(path).status_code == 404


@pytest.fixture
def run(service: Service, hetzner: Hetzner, worker: Worker) -> Iterator[Run]:
    yield Run(service, hetzner, worker)
    hetzner.state.clear_faults()
