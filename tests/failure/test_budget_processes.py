"""Two ``secapi-hetzner worker`` processes share one request budget per Hetzner project (PostgreSQL).

With ``HCLOUD_REQUESTS_PER_HOUR=N`` the two processes together make at most N requests to the tenant's
Hetzner project in the window (a per-process budget would allow 2N), and a process that starts after
the other spent the budget makes none.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Service
from tests.failure.conftest import (
    COMPUTE,
    PROJECT,
    STORAGE,
    Hetzner,
    WorkerProcess,
    accepted,
    instance_body,
    sql,
    storage_body,
    wait_until,
)

BUDGET = 12  # requests per hour; background work may take 11 of them (a 10 % reserve, whole requests)
EXHAUSTED = "%request budget exhausted%"


def spent(hetzner: Hetzner) -> int:
    return int(hetzner.state.request_counts(PROJECT)["total"])


def create(service: Service, names: list[str]) -> None:
    for name in names:
        accepted(service.put(f"{STORAGE}/boot-{name}", storage_body(20)), 201)
        accepted(service.put(f"{COMPUTE}/{name}", instance_body(f"boot-{name}")), 201)


def refused_by_budget(names: list[str]) -> bool:
    rows = sql("SELECT count(*) AS n FROM operations o JOIN resources r ON r.id = o.resource_id "
               "WHERE r.kind = 'instance' AND r.name = ANY(%s) AND o.last_error LIKE %s", names, EXHAUSTED)
    return int(rows[0]["n"]) > 0


def test_two_worker_processes_spend_one_shared_budget(
        service: Service, hetzner: Hetzner, spawn_worker: Callable[..., WorkerProcess]) -> None:
    first, second = (spawn_worker(HCLOUD_REQUESTS_PER_HOUR=str(BUDGET)),
                     spawn_worker(HCLOUD_REQUESTS_PER_HOUR=str(BUDGET)))
    assert first.id != second.id  # both registered: both claim work from now on
    names = [f"vm-budget-{i}" for i in range(8)]  # far more work than 12 requests (3 a create, at least)
    create(service, names)
    wait_until(lambda: refused_by_budget(names), 30, "a worker to stop at the shared budget")
    hetzner.quiet()
    together = spent(hetzner)
    assert 0 < together <= BUDGET - 1, f"two processes made {together} requests on a budget of {BUDGET}"

    # the first process goes away; the second alone keeps claiming work but finds the budget spent
    first.stop()
    late = ["vm-budget-late"]
    create(service, late)
    wait_until(lambda: refused_by_budget(late), 30, "the second worker to stop at the shared budget")
    hetzner.quiet()
    assert spent(hetzner) == together
    assert second.process.poll() is None
