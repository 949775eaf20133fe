"""Resource GETs and lists served on the event loop from remembered versions (services/reads.py): they answer
exactly what the thread path answers, every write is seen at once, whoever makes it, and a version that is
already known costs one statement and no row read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest

from secapi_hetzner import errors
from secapi_hetzner.app.services import current
from secapi_hetzner.resources.present import present
from secapi_hetzner.resources.registry import kind_named
from secapi_hetzner.services import Place
from secapi_hetzner.services.reads import ResourceReads
from secapi_hetzner.store import Database
from secapi_hetzner.store.reads import AsyncReads
from tests.conftest import TENANT, Service
from tests.support.lists import names_across_pages
from tests.support.refs import ref

T = TypeVar("T")
WS = "ws-memory"
WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}"
NETWORK_REF = f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net"


#: collection path → (kind, place, a body per item); every kind is read on the event loop (a route table's live
#: status, which runs queries, in one worker-thread trip a page)
COLLECTIONS: dict[str, tuple[str, Place, Any]] = {
    WORKSPACES: ("workspace", Place(TENANT), lambda i: {"labels": {"n": str(i)}, "spec": {}}),
    f"{STORAGE}/block-storages": ("block-storage", Place(TENANT, WS),
                                  lambda i: {"spec": {"sizeGB": 10 + i, "skuRef": ref("skus/local-nvme")}}),
    f"{NET}/networks/net/subnets": ("subnet", Place(TENANT, WS, "net"), lambda i: {"spec": {
        "cidr": {"ipv4": f"10.6.{i}.0/24"}, "zone": "fsn1",
        "routeTableRef": ref(f"{NETWORK_REF}/route-tables/rt-0")}}),
    f"{NET}/networks/net/route-tables": ("routing-table", Place(TENANT, WS, "net"), lambda i: {"spec": {"routes": [
        {"destinationCidrBlock": f"10.{i}.0.0/16", "targetRef": ref(f"instances/target-{i}")}]}}),
    f"{NET}/nics": ("nic", Place(TENANT, WS), lambda i: {"spec": {"addresses": [f"10.6.0.{i + 10}"],
                                                                  "subnetRef": ref(f"{NETWORK_REF}/subnets/item-0")}}),
    f"{NET}/internet-gateways": ("internet-gateway", Place(TENANT, WS), lambda i: {"spec": {}}),
}
ITEMS = 3


@pytest.fixture(scope="module", autouse=True)
def estate(service: Service) -> None:
    assert service.put(f"{WORKSPACES}/{WS}", {"spec": {}}).status_code == 201
    assert service.put(f"{NET}/networks/net", {"spec": {"cidr": {"ipv4": "10.6.0.0/16", "ipv6": "fd00::/48"},
                                                        "skuRef": ref("skus/hetzner-private-network")}}).status_code \
        == 201
    for path, (_, _, body) in COLLECTIONS.items():
        for i in range(ITEMS):
            assert service.put(f"{path}/item-{i}", body(i)).status_code == 201, (path, i)
    service.drain()


def thread_path_page(kind_name: str, where: Place, deleted: str = "exclude", limit: int = 100) -> list[dict[str, Any]]:
    """What the resource service answers for the same list, presented (the path reads took before)."""
    kind = kind_named(kind_name)
    items, _ = current().resource_service.list_page(kind, where, labels=None, limit=limit, skip_token=None,
                                                    deleted=deleted)
    return [present(kind, item, "GET") for item in items]


@pytest.mark.parametrize("deleted", ["exclude", "include", "only"])
@pytest.mark.parametrize("path", list(COLLECTIONS))
def test_every_list_answers_what_the_thread_path_answers(service: Service, path: str, deleted: str) -> None:
    kind_name, where, _ = COLLECTIONS[path]
    accept = {"exclude": "application/json", "include": "application/json; deleted=true",
              "only": "application/json; deleted=only"}[deleted]
    for _ in range(2):  # the second answer comes from remembered versions
        response = service.get(path, params={"limit": 100}, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.json()["items"] == thread_path_page(kind_name, where, deleted)


@pytest.mark.parametrize("path", list(COLLECTIONS))
def test_every_get_answers_what_the_thread_path_answers(service: Service, path: str) -> None:
    kind_name, where, _ = COLLECTIONS[path]
    kind = kind_named(kind_name)
    expected = present(kind, current().resource_service.read(kind, where, "item-1"), "GET")
    for _ in range(2):
        response = service.get(f"{path}/item-1")
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        assert response.json() == expected
    assert service.get(f"{path}/no-such-item").status_code == 404


def test_a_known_version_costs_one_statement_and_no_row_read(service: Service) -> None:
    db, known = current().db, current().reads.known
    service.get(WORKSPACES, params={"limit": 50})
    service.get(f"{WORKSPACES}/item-2")
    before, rows_read = dict(db.executed), known.rows_read
    for _ in range(3):
        assert service.get(WORKSPACES, params={"limit": 50}).status_code == 200
        assert service.get(f"{WORKSPACES}/item-2").status_code == 200
    spent = {name: n - before.get(name, 0) for name, n in db.executed.items() if n != before.get(name, 0)}
    for periodic in ("token_generation", "credential_generation", "access_rules"):
        spent.pop(periodic, None)
    assert spent == {"stamp_resources": 3, "stamp_resource": 3}  # (one at a time: nothing to share)
    assert known.rows_read == rows_read


def test_a_whole_page_is_answered_again_only_while_its_stamps_are_the_same(service: Service) -> None:
    """A collection read whole, unchanged, gives the answer made last time; a caller who may see only part of
    it, a page that goes on, or any write to any item (by any statement) does not."""
    reads = ResourceReads(AsyncReads(current().db))
    kind = kind_named("workspace")

    async def page(limit: int = 100, visible: Callable[[str], bool] | None = None) -> tuple[list[bytes], str | None]:
        return await reads.list_page(kind, Place(TENANT), labels=None, limit=limit, skip_token=None,
                                     deleted="exclude", visible=visible)

    async def run() -> None:
        try:
            first, _ = await page()
            again, _ = await page()
            assert again is first and reads.pages.hits == 1  # the same answer, not made again
            mine, _ = await page(visible=lambda name: name == "item-0")
            assert [json.loads(item)["metadata"]["name"] for item in mine] == ["item-0"]
            partial, token = await page(limit=2)
            assert token is not None and len(partial) == 2
            assert (await page(limit=2))[0] is not partial and reads.pages.hits == 1
            # a write that changes nothing a client sees still gives the row a new stamp: made again
            current().db.all_sql("UPDATE resources SET labels = labels WHERE kind = 'workspace' AND name = 'item-1' "
                                 f"AND tenant = '{TENANT}' RETURNING id")
            after, _ = await page()
            assert after is not first and after == first and reads.pages.hits == 1
            assert (await page())[0] is after and reads.pages.hits == 2
        finally:
            await reads.reads.close()

    asyncio.run(run())


def test_a_change_through_the_api_is_read_at_once(service: Service) -> None:
    path = f"{WORKSPACES}/item-0"
    first = service.get(path).json()
    assert service.put(path, {"labels": {"n": "changed"}, "spec": {}}).status_code == 200
    second = service.get(path).json()
    assert second["labels"] == {"n": "changed"}
    assert second["metadata"]["resourceVersion"] > first["metadata"]["resourceVersion"]
    listed = {item["metadata"]["name"]: item for item in service.get(WORKSPACES, params={"limit": 50}).json()["items"]}
    assert listed["item-0"] == second


def test_a_write_by_any_statement_is_read_at_once(service: Service) -> None:
    """A write that does not move resourceVersion (a purge, a repair by hand) changes the row's stamp all the
    same: the remembered version is not served."""
    path = f"{STORAGE}/block-storages/item-2"
    assert service.get(path).json()["status"].get("sizeGB") != 999
    current().db.all_sql(
        "UPDATE resources SET status = status || '{\"sizeGB\": 999}' WHERE kind = 'block-storage' "
        f"AND name = 'item-2' AND workspace = '{WS}' RETURNING id")
    assert service.get(path).json()["status"]["sizeGB"] == 999
    listed = service.get(f"{STORAGE}/block-storages").json()["items"]
    assert [item["status"].get("sizeGB") for item in listed if item["metadata"]["name"] == "item-2"] == [999]
    current().db.all_sql(f"UPDATE resources SET purged_at = now() WHERE kind = 'block-storage' AND name = 'item-2' "
                         f"AND workspace = '{WS}' RETURNING id")
    assert service.get(path).status_code == 404
    assert "item-2" not in [item["metadata"]["name"] for item in
                            service.get(f"{STORAGE}/block-storages").json()["items"]]


def test_a_workspace_counts_what_it_holds_now(service: Service) -> None:
    """The workspace row does not change when a resource is created inside it; its resourceCount does."""
    path = f"{WORKSPACES}/{WS}"

    def counts() -> tuple[int, int]:
        one = service.get(path).json()["status"]["resourceCount"]
        listed = [item["status"]["resourceCount"] for item in
                  service.get(WORKSPACES, params={"limit": 50}).json()["items"] if item["metadata"]["name"] == WS]
        return one, listed[0]

    before = counts()
    assert before[0] == before[1] > 0
    assert service.put(f"{NET}/internet-gateways/one-more", {"spec": {}}).status_code == 201
    assert counts() == (before[0] + 1, before[0] + 1)
    assert service.delete(f"{NET}/internet-gateways/one-more").status_code == 202
    assert counts() == before


def test_a_missing_workspace_is_404_on_get_and_an_empty_list(service: Service) -> None:
    other = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/no-such-ws/block-storages"
    answer = service.get(f"{other}/item-0")
    assert answer.status_code == 404 and "no-such-ws" in answer.json()["detail"]
    assert service.get(other).json()["items"] == []


def test_pages_of_remembered_versions_chain_with_skip_tokens(service: Service) -> None:
    seen = names_across_pages(service, WORKSPACES, {"limit": 2})
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert seen == [item["metadata"]["name"] for item in thread_path_page("workspace", Place(TENANT))]


class ChangedBetweenStatements(AsyncReads):
    """Reads whose row is purged right after its stamp was read (another process deleting it meanwhile)."""

    def __init__(self, db: Database, name: str) -> None:
        super().__init__(db)
        self.name = name

    async def all(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = await super().all(name, params)
        self._purge_after(name)
        return rows

    async def all_made(self, name: str, params: dict[str, Any], make: Callable[[Sequence[Any]], T]) -> list[T]:
        rows = await super().all_made(name, params, make)
        self._purge_after(name)
        return rows

    def _purge_after(self, name: str) -> None:
        if name.startswith("stamp_"):
            self.db.all_sql("UPDATE resources SET deleted_at = now(), purged_at = now() WHERE kind = 'workspace' "
                            f"AND name = '{self.name}' RETURNING id")


@pytest.mark.parametrize("read", ["get", "list"])
def test_a_resource_purged_between_the_two_statements_is_not_shown(service: Service, read: str) -> None:
    name = f"race-{read}"
    assert service.put(f"{WORKSPACES}/{name}", {"spec": {}}).status_code == 201
    reads = ResourceReads(ChangedBetweenStatements(current().db, name))
    kind = kind_named("workspace")

    async def run() -> list[str]:
        try:
            if read == "get":
                await reads.read(kind, Place(TENANT), name)
                return [name]
            items, _ = await reads.list_page(kind, Place(TENANT), labels=None, limit=100, skip_token=None,
                                             deleted="exclude")
            return [json.loads(item)["metadata"]["name"] for item in items]
        finally:
            await reads.reads.close()

    if read == "get":
        with pytest.raises(errors.NotFound):
            asyncio.run(run())
    else:
        names = asyncio.run(run())
        assert name not in names and WS in names


def test_the_read_pool_serves_only_its_own_event_loop(service: Service) -> None:
    """A read asked on another loop (a second app in one process) takes the thread path instead."""
    reads = current().reads

    async def ask() -> bool:
        return reads.usable()

    assert asyncio.run(ask()) is False
    assert reads.usable() is False  # and outside any loop


async def workspaces_read_together(db: Database, names: list[str]) -> list[Any]:
    """GETs of the workspaces ``names`` at once, on one event loop and its own read pool: bodies or errors."""
    reads = ResourceReads(AsyncReads(db))
    kind = kind_named("workspace")
    try:
        return await asyncio.gather(*(reads.read(kind, Place(TENANT), name) for name in names),
                                    return_exceptions=True)
    finally:
        await reads.reads.close()


def test_single_gets_asked_together_share_one_statement_and_keep_their_own_answers(service: Service) -> None:
    """Ten GETs at once on one event loop: one stamp statement for all. A name the database refuses (a NUL)
    among them fails that statement: each key is then asked alone and gets its own answer."""
    db = current().db
    names = [f"item-{i % ITEMS}" for i in range(9)] + [WS]

    before = db.executed["stamp_resource"]
    answers = asyncio.run(workspaces_read_together(db, names))
    assert db.executed["stamp_resource"] - before == 1
    assert [json.loads(answer)["metadata"]["name"] for answer in answers] == names

    before = db.executed["stamp_resource"]
    answers = asyncio.run(workspaces_read_together(db, ["item-0", "bad\x00name", "missing", "item-1"]))
    assert db.executed["stamp_resource"] - before == 5  # together (refused), then each alone
    assert json.loads(answers[0])["metadata"]["name"] == "item-0"
    assert isinstance(answers[1], errors.InvalidRequest)
    assert isinstance(answers[2], errors.NotFound)
    assert json.loads(answers[3])["metadata"]["name"] == "item-1"


def test_the_same_resource_asked_together_is_looked_up_once_and_answers_every_asker(service: Service) -> None:
    """Clients polling one resource at once: each key goes into the statement once, and its row answers all
    of them. Counted where it shows: a refused key among them sends each distinct key alone (one statement
    each, not one per asker), and every asker still gets its own answer."""
    db = current().db
    asked = ["item-0", "bad\x00name", "item-0", "bad\x00name", "item-1", "item-0"]

    before = db.executed["stamp_resource"]
    answers = asyncio.run(workspaces_read_together(db, asked))
    assert db.executed["stamp_resource"] - before == 1 + 3  # together (refused), then item-0, the bad name, item-1
    for name, answer in zip(asked, answers, strict=True):
        if "\x00" in name:
            assert isinstance(answer, errors.InvalidRequest)
        else:
            assert json.loads(answer)["metadata"]["name"] == name


def test_a_route_table_follows_its_target_while_its_row_stays_the_same(service: Service) -> None:
    """A route's state depends on its target, not on the table's row: a remembered body is kept per live status."""
    table = f"{NET}/networks/net/route-tables/to-gateway"
    route = {"destinationCidrBlock": "0.0.0.0/0", "targetRef": ref("internet-gateways/gw-later")}
    assert service.put(table, {"spec": {"routes": [route]}}).status_code == 201
    service.drain()

    def states() -> tuple[str, str]:
        one = service.get(table).json()["status"]["routes"][0]["state"]
        listed = [item["status"]["routes"][0]["state"] for item in
                  service.get(f"{NET}/networks/net/route-tables").json()["items"]
                  if item["metadata"]["name"] == "to-gateway"]
        return one, listed[0]

    version = service.get(table).json()["metadata"]["resourceVersion"]
    assert states() == ("pending", "pending")
    assert service.put(f"{NET}/internet-gateways/gw-later", {"spec": {}}).status_code == 201
    assert states() == ("active", "active")
    assert service.get(table).json()["metadata"]["resourceVersion"] == version
    assert service.delete(f"{NET}/internet-gateways/gw-later").status_code == 202
    service.drain()
    assert states() == ("pending", "pending")


class DatabaseAway(AsyncReads):
    """Reads whose every statement finds the database away (what db_errors makes of a lost connection)."""

    statements = 0

    async def all(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.statements += 1
        raise errors.Unavailable("The database is not reachable right now.")


def test_gets_asked_together_while_the_database_is_away_all_fail_at_once(service: Service) -> None:
    """Only a key the database refuses makes each key be asked alone: when it is away, one failed statement
    answers every asker (asking each alone would make each wait again)."""
    reads = DatabaseAway(current().db)
    kind = kind_named("workspace")

    async def gather() -> list[Any]:
        return await asyncio.gather(*(ResourceReads(reads).read(kind, Place(TENANT), f"item-{i}") for i in range(5)),
                                    return_exceptions=True)

    answers = asyncio.run(gather())
    assert all(isinstance(answer, errors.Unavailable) for answer in answers)
    assert reads.statements == 1
