"""Fair turns on a shared Hetzner project: when operations queue up (workers busy, request budget spent),
one busy tenant or workspace does not make the others wait behind all of its work. Real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from secapi_hetzner.store import Database
from secapi_hetzner.store.operations import Queue
from secapi_hetzner.store.repository import Key, ResourceRepository

WORKER = "fair-claims-test"


@pytest.fixture
def queue(database_url: str) -> Iterator[tuple[Database, Queue]]:
    db = Database(database_url, max_size=2)
    db.run("register_worker", {"id": WORKER})
    yield db, Queue(db)
    db.close()


def _enqueue(db: Database, tenant: str, workspace: str, count: int) -> list[str]:
    """``count`` resources with an operation each, in the order given; their names."""
    repository, names = ResourceRepository(db), []
    for index in range(count):
        name = f"{workspace or 'tenant'}-{index}"
        with db.transaction() as conn:
            resource = repository.insert(conn, Key(tenant, workspace, "", "block-storage", name), region="eu-central",
                                         api="seca.storage", labels=None, annotations=None, extensions=None,
                                         spec={}, status={})
            Queue(db).enqueue(conn, resource.id, "spec")
        names.append(f"{tenant}/{name}")
    return names


def _claim_order(db: Database, queue: Queue, worker: str, count: int) -> list[str]:
    order = []
    for _ in range(count):
        op = queue.claim(worker)
        assert op is not None
        row = db.one("get_resource_by_id", {"id": op.resource_id})
        assert row is not None
        order.append(f"{row['tenant']}/{row['name']}")
        queue.finish(op, worker_id=worker)
    return order


def test_a_tenant_with_one_operation_does_not_wait_behind_a_busy_one(queue: tuple[Database, Queue]) -> None:
    db, q = queue
    worker = WORKER
    busy = _enqueue(db, "busy", "ws", 20)  # queued first
    quiet = _enqueue(db, "quiet", "ws", 1)
    order = _claim_order(db, q, worker, 21)
    assert order.index(quiet[0]) <= 1, order  # its turn comes next, not after the busy tenant's 20
    assert [name for name in order if name in busy] == busy  # each tenant's own work stays in order


def test_workspaces_of_one_tenant_take_turns(queue: tuple[Database, Queue]) -> None:
    db, q = queue
    worker = WORKER
    crowded = _enqueue(db, "team", "crowded", 10)
    small = _enqueue(db, "team", "small", 2)
    order = _claim_order(db, q, worker, 12)
    # the two workspaces alternate while both have work
    assert order[:4] in ([crowded[0], small[0], crowded[1], small[1]], [small[0], crowded[0], small[1], crowded[1]])


def test_tenant_scoped_operations_take_the_tenants_turn(queue: tuple[Database, Queue]) -> None:
    db, q = queue
    worker = WORKER
    _enqueue(db, "solo", "", 3)  # workspace '' (images, workspaces): one turn row, no conflict with itself
    assert len(_claim_order(db, q, worker, 3)) == 3
