"""The request budget in PostgreSQL: one per Hetzner project, shared by every gateway (process) using it,
lowered by Hetzner's RateLimit headers, with a reserve background work cannot take; and the drift
check recorded per project so other processes skip it within the interval."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from hcloud import Client

from secapi_hetzner.app.services import current
from secapi_hetzner.hetzner import Gateway, Gateways, HetznerTransient, Priority, reserved
from secapi_hetzner.runner.drift import DRIFT_CALLS_PER_HOUR, DriftReconciler
from secapi_hetzner.simulator import RunningSimulator
from secapi_hetzner.store import Database
from secapi_hetzner.store.budget import PostgresBudget
from tests.conftest import TENANT, Service

TOKEN = "budget-tests-project"


@pytest.fixture
def pools(database_url: str) -> Iterator[list[Database]]:
    """Two connection pools on one database: what two processes of the service have."""
    made = [Database(database_url, max_size=2), Database(database_url, max_size=2)]
    yield made
    for db in made:
        db.close()


def gateways_of(db: Database, simulator: RunningSimulator, per_hour: int) -> Gateways:
    """A process's gateways, wired as ``build_services`` does."""
    return Gateways(endpoint=simulator.url, timeout=5, requests_per_hour=per_hour,
                    budget_for=lambda project, hour: PostgresBudget(db, project, hour, reserved))


def level(gateway: Gateway) -> int:
    budget = gateway.budget
    assert isinstance(budget, PostgresBudget)
    return budget.remaining


def test_two_gateways_of_one_token_share_one_budget(pools: list[Database], simulator: RunningSimulator) -> None:
    first = gateways_of(pools[0], simulator, 3600).for_credential(TOKEN)
    second = gateways_of(pools[1], simulator, 3600).for_credential(TOKEN)
    for _ in range(30):
        first.list_locations()
    # the second process sees what the first spent (within the refill of the test's own duration)
    assert 3568 <= level(second) <= 3572
    second.ping()
    assert 3567 <= level(first) <= 3572
    # the token is never stored: the row is keyed by the fingerprint
    rows = pools[0].all_sql("SELECT project FROM request_budgets")
    assert [row["project"] for row in rows] == [first.project] and TOKEN not in first.project


def test_the_shared_budget_is_exhausted_for_both(pools: list[Database], simulator: RunningSimulator) -> None:
    first = gateways_of(pools[0], simulator, 4).for_credential(TOKEN)
    second = gateways_of(pools[1], simulator, 4).for_credential(TOKEN)
    first.ping()
    first.ping()
    second.ping()
    second.ping()
    for gateway in (first, second):
        with pytest.raises(HetznerTransient) as caught:
            gateway.ping()
        assert caught.value.code == "rate_limit_exceeded"
    assert simulator.state.request_counts(TOKEN)["total"] == 4


def test_background_work_leaves_the_reserve_to_interactive_reads(pools: list[Database],
                                                                 simulator: RunningSimulator) -> None:
    gateways = gateways_of(pools[0], simulator, 20)  # reserve: 2 requests
    background = gateways.for_credential(TOKEN)
    interactive = gateways.for_credential(TOKEN, Priority.INTERACTIVE)
    assert background.budget is interactive.budget
    spent = 0
    while True:
        try:
            background.ping()
        except HetznerTransient:
            break
        spent += 1
    assert spent == 18
    interactive.ping()
    interactive.ping()
    with pytest.raises(HetznerTransient):
        interactive.ping()


def test_a_low_ratelimit_remaining_from_hetzner_lowers_the_budget(pools: list[Database],
                                                                   simulator: RunningSimulator) -> None:
    gateway = gateways_of(pools[0], simulator, 3600).for_credential(TOKEN)
    gateway.ping()
    assert level(gateway) >= 3598
    # another client of the same Hetzner project (a console, another tool) spends 500 requests
    console = Client(token=TOKEN, api_endpoint=simulator.url, timeout=5)
    for _ in range(500):
        console.locations.get_list(per_page=1)
    gateway.ping()  # Hetzner answers RateLimit-Remaining ≈ 3098
    assert 3095 <= level(gateway) <= 3102
    # and a second process, which never saw that answer, sees the lowered shared count
    other = gateways_of(pools[1], simulator, 3600).for_credential(TOKEN)
    assert 3095 <= level(other) <= 3102


def test_a_lower_hetzner_limit_is_followed_by_the_shared_count(pools: list[Database],
                                                                simulator: RunningSimulator) -> None:
    simulator.state.set_rate_limit(10)
    try:
        gateway = gateways_of(pools[0], simulator, 3600).for_credential(TOKEN)
        gateway.ping()  # Hetzner: limit 10, remaining 9
        assert level(gateway) <= 9
        spent = 1
        while True:
            try:
                gateway.ping()
            except HetznerTransient as exc:
                assert exc.code == "rate_limit_exceeded"
                assert "Client-side" in exc.message  # refused here, not a 429 from Hetzner
                break
            spent += 1
    finally:
        simulator.state.reset()
    # background work stopped itself before Hetzner said 429 (the reserve of 10 is one request)
    assert spent <= 9


# -- drift: once per project across processes ------------------------------------------------------------


WS = "ws-budget-drift"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
COMPUTE = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances"
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


def test_drift_runs_once_per_project_across_processes(service: Service) -> None:
    service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}})
    service.put(f"{STORAGE}/vm-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL}})
    service.put(f"{COMPUTE}/vm", {"spec": {
        "skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
        "bootVolume": {"deviceRef": {"resource": "block-storages/vm-boot"}}}})
    service.drain()
    mine: DriftReconciler = current().drift
    other_db = Database(current().settings.database_url, max_size=2)
    try:
        other = DriftReconciler(other_db, mine.gateway_for, list(mine.kinds.values()), every=60.0)
        project = f"simulated-project-{TENANT}"
        before = service.simulator.state.request_counts(project)["total"]
        assert mine.run_due().projects == 1  # first in the interval: runs (two list calls)
        assert other.run_due().projects == 0  # another process within the interval: skips
        assert mine.run_due().projects == 0
        assert service.simulator.state.request_counts(project)["total"] - before == 2
        # once the interval has passed, whichever process comes first runs it
        with other_db.connection() as conn:
            conn.execute("UPDATE drift_runs SET last_run = now() - interval '61 seconds'")
        assert other.run_due().projects == 1 and mine.run_due().projects == 0
    finally:
        other_db.close()


def test_idle_drift_for_a_hundred_instances_stays_within_120_calls_an_hour(service: Service) -> None:
    drift: DriftReconciler = current().drift
    resources: list[Any] = [SimpleNamespace(key=SimpleNamespace(kind="instance")) for _ in range(100)]
    resources += [SimpleNamespace(key=SimpleNamespace(kind="block-storage")) for _ in range(100)]
    calls = drift.calls_per_round(resources)
    assert calls == 4  # two pages of servers, two of volumes
    interval = drift.interval_for(resources)
    assert calls * 3600 / interval <= DRIFT_CALLS_PER_HOUR == 120
    # a small project keeps the configured interval
    assert drift.interval_for(resources[:1]) == drift.every
