"""Shared fixtures: a real PostgreSQL, the project's Hetzner simulator on loopback, the service."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path

import httpx
import pytest

from secapi_hetzner.app import create_app
from secapi_hetzner.app.services import current
from secapi_hetzner.settings import EngineTimings, Settings
from secapi_hetzner.simulator import RunningSimulator, SimState, serve_in_thread
from secapi_hetzner.store import Database
from tests.support.bare import depends_on_shared
from tests.support.database import DatabaseFactory
from tests.support.servers import serve_in_thread as serve_app

ROOT = Path(__file__).resolve().parents[1]
OWN_SPEC = ROOT / "spec"
#: the reference data beside the checkout (CI has it; a user's clone does not). SECA_SHARED_DIR moves it
#: (CI points it at nothing once, to show that a bare clone passes).
SHARED = Path(os.environ.get("SECA_SHARED_DIR") or ROOT.parent / "shared")
UPSTREAM_SPEC = SHARED / "seca-spec" / "bundled"
HCLOUD_OPENAPI = SHARED / "hcloud-openapi" / "hcloud.fixed.json"
NO_SHARED = "reference data ../shared is absent (a user's clone); CI, which has it, runs this check"
requires_upstream_spec = pytest.mark.skipif(not UPSTREAM_SPEC.is_dir(), reason=NO_SHARED)
#: the service booted on the upstream bundles, where they exist
UPSTREAM_SPEC_PARAM = pytest.param(UPSTREAM_SPEC, id="upstream-spec", marks=requires_upstream_spec)
TENANT = "acme"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``SECA_BARE_SELECTION=1`` (``make test-bare``): keep only the tests that depend on the reference data
    (tests/support/bare.py says which and why)."""
    if os.environ.get("SECA_BARE_SELECTION") != "1":
        return
    kept = [item for item in items if depends_on_shared(item.nodeid, Path(str(item.path)))]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.fixture(scope="session")
def databases() -> Iterator[DatabaseFactory]:
    # Not under pytest's tmp_path: the embedded server runs as its own system user, and pytest's
    # temporary directories are private to root (mode 0700).
    dbs = DatabaseFactory.start(os.environ.get("TEST_DATABASE_URL", ""), ROOT / ".data" / "test")
    yield dbs
    dbs.stop()


@pytest.fixture
def database_url(databases: DatabaseFactory) -> str:
    return databases.fresh()


#: Hetzner's pace in the suites that drive the service: every action takes time, as on Hetzner, only
#: shorter (bench/ measures at 0.5 s and 5 s). A simulator that finished every action at once hid defects.
ACTION_SECONDS = 0.1
ACTION_SECONDS_BY_COMMAND = {"create_server": 0.3, "create_image": 0.3, "change_server_type": 0.2,
                             "create_volume": 0.2}
#: a shutdown only sends ACPI; the guest takes this long to power off
GUEST_SHUTDOWN_SECONDS = 0.2


def hetzner_pace(state: SimState) -> None:
    """Back to the suites' Hetzner pace (after a test held actions by hand, say)."""
    state.set_action_timing(ACTION_SECONDS, commands=ACTION_SECONDS_BY_COMMAND,
                            guest_shutdown=GUEST_SHUTDOWN_SECONDS)


@pytest.fixture(scope="session")
def simulator_session() -> Iterator[RunningSimulator]:
    with serve_in_thread() as sim:
        hetzner_pace(sim.state)
        yield sim


@pytest.fixture
def simulator(simulator_session: RunningSimulator) -> RunningSimulator:
    simulator_session.state.reset()
    hetzner_pace(simulator_session.state)
    return simulator_session


#: the tests' engine timings: retries at once, polls every 10 ms, no guessed action times (learnt as seen)
TEST_TIMINGS = EngineTimings(retry_base=0.0, action_poll=0.01, action_time_scale=0.0)
TIMING_FIELDS = {f.name for f in fields(EngineTimings)}


def make_settings(spec_dir: Path, database_url: str, simulator: RunningSimulator, **overrides: object) -> Settings:
    """Test settings; ``overrides`` may name ``Settings`` and ``EngineTimings`` fields alike (``stale_after``
    also as ``worker_stale_after``, its environment name)."""
    if "worker_stale_after" in overrides:
        overrides["stale_after"] = overrides.pop("worker_stale_after")
    timings = replace(TEST_TIMINGS, **{k: v for k, v in overrides.items() if k in TIMING_FIELDS})  # type: ignore[arg-type]
    values: dict[str, object] = dict(
        spec_dir=spec_dir, data_dir=ROOT / ".data", database_url=database_url,
        hcloud_endpoint=simulator.url, validate_responses=True, hetzner_timeout=5.0,
        inprocess_worker=False, timings=timings,
    )
    values.update({k: v for k, v in overrides.items() if k not in TIMING_FIELDS})
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Service:
    """The running service: its base URL, a client with a valid token, and its internals for assertions."""

    url: str
    token: str
    tenant: str
    client: httpx.Client
    simulator: RunningSimulator

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return self.client.get(path, **kwargs)  # type: ignore[arg-type]

    def put(self, path: str, body: dict[str, object], **kwargs: object) -> httpx.Response:
        return self.client.put(path, json=body, **kwargs)  # type: ignore[arg-type]

    def delete(self, path: str, **kwargs: object) -> httpx.Response:
        return self.client.delete(path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return self.client.post(path, **kwargs)  # type: ignore[arg-type]

    def operations(self) -> list[dict[str, object]]:
        """Every operation row (assertions and failure messages)."""
        return current().db.all_sql("SELECT id, reason, status, attempts, step, last_error FROM operations ORDER BY id")

    def drain(self) -> None:
        """Let the workers run every due operation (the in-process worker thread is off in tests)."""
        current().worker.drain()


@pytest.fixture(scope="module", params=["own-spec"])
def spec_dir(request: pytest.FixtureRequest) -> Path:
    return OWN_SPEC


def admin_token(label: str = "", tenant: str = TENANT) -> str:
    """A token of the running app for the subject ``admin``, made an administrator of ``tenant``."""
    from secapi_hetzner.services.tenancy import bootstrap_admin

    token = current().tokens.issue(tenant, label=label)
    bootstrap_admin(current().resource_service, tenant, "admin")
    return token


@pytest.fixture(scope="module")
def service(spec_dir: Path, databases: DatabaseFactory, simulator_session: RunningSimulator) -> Iterator[Service]:
    """One running service per test module (building the Connexion app parses 12 documents)."""
    database_url = databases.fresh()
    simulator = simulator_session
    db = Database(database_url, max_size=4)
    app = create_app(make_settings(spec_dir, database_url, simulator), db=db)
    token = admin_token(label="tests")
    with serve_app(app) as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                              timeout=20) as client:
        yield Service(url, token, TENANT, client, simulator)
    db.close()
