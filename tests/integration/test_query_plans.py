"""The reads' statements touch rows in proportion to what they answer, whatever PostgreSQL knows of the table.

psycopg prepares a statement once a connection has run it five times, and PostgreSQL may then plan it without
the parameters' values. On a ``resources`` table no ANALYZE has seen yet (every new deployment, until
autovacuum gets to it), such plans went through the table: a page of 50 workspaces counted their resources
once *per workspace* (16 ms of database time instead of 0.3 ms; 260 ms beside 25,000 resources), and a single
GET hashed every live resource of every tenant to find one (7 ms instead of 0.2 ms). Here the statements of a
page (``stamp_resources``) and of single GETs (``stamp_resource``) are planned every way they can be (generic
and custom, before and after ANALYZE) and run beside 2,000 other tenants' resources: the rows their scans
touch must stay within a small multiple of the rows they answer and count, and the answers must be right.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from secapi_hetzner.store.db import QUERIES, Database
from secapi_hetzner.store.reads import AsyncReads

TENANT = "plans"
WORKSPACES = 30
OTHERS = 2000
PAGE: dict[str, Any] = {"tenant": TENANT, "workspace": "", "parent": "", "kind": "workspace", "after": "",
                        "deleted": "exclude", "batch": WORKSPACES + 1, "children": True, "targets": ""}
ASKED = (1, 2, 3, 7)  # the workspaces a batch of single GETs asks for (ws-99 too, which does not exist)
GETS: dict[str, Any] = {"keys": json.dumps(
    [{"i": n, "tenant": TENANT, "workspace": "", "parent": "", "kind": "workspace", "name": f"ws-{i:02d}",
      "children": True, "targets": ""} for n, i in enumerate([*ASKED, 99])])}


def children_of(i: int) -> int:
    return i % 4  # 0 to 3 live resources in each workspace


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database_url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        # this database's own table: autovacuum must not analyze it behind the test's back
        conn.execute("ALTER TABLE resources SET (autovacuum_enabled = false)")
        rows = [(TENANT, "", "workspace", f"ws-{i:02d}") for i in range(WORKSPACES)]
        rows += [(TENANT, f"ws-{i:02d}", "instance", f"vm-{j}")
                 for i in range(WORKSPACES) for j in range(children_of(i))]
        rows += [(f"other-{i % 7}", f"ws-{i % 3:02d}", "instance", f"vm-{i}") for i in range(OTHERS)]
        rows += [(f"other-{i % 7}", "", "workspace", f"ws-{i:02d}") for i in range(WORKSPACES)]
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO resources (tenant, workspace, kind, name, api) VALUES (%s, %s, %s, %s, 'x')",
                            rows)
            # one more in ws-01, being deleted: not counted
            cur.execute("INSERT INTO resources (tenant, workspace, kind, name, api, deleted_at)"
                        " VALUES (%s, 'ws-01', 'instance', 'leaving', 'x', now())", (TENANT,))
        yield conn


def value(conn: psycopg.Connection[Any], sql: str, args: list[Any] | None = None) -> Any:
    row = conn.execute(sql, args).fetchone()
    assert row is not None
    return row[0]


def prepared(conn: psycopg.Connection[Any], name: str) -> list[str]:
    """Prepare the named query as the server sees it from psycopg (``$n`` parameters, types inferred); the
    parameters' names in order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    text = re.sub(r"%\((\w+)\)s", number, QUERIES[name]).replace("%%", "%")
    conn.execute(f"PREPARE {name} AS {text}")
    return order


def rows_touched(plan: dict[str, Any]) -> int:
    """Rows the plan's scans of ``resources`` produced or threw away, over all their loops."""
    touched = 0
    if plan.get("Relation Name") == "resources":
        kept_or_dropped = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0) + plan.get(
            "Rows Removed by Index Recheck", 0)
        touched += round(kept_or_dropped * plan["Actual Loops"])
    return touched + sum(rows_touched(child) for child in plan.get("Plans", []))


def planned_and_run(conn: psycopg.Connection[Any], name: str, params: dict[str, Any], analyzed: bool,
                    mode: str) -> tuple[int, list[Any]]:
    if analyzed:
        conn.execute("ANALYZE resources")
    reltuples = value(conn, "SELECT reltuples FROM pg_class WHERE relname = 'resources'")
    assert (reltuples >= 0) is analyzed  # -1: no ANALYZE or VACUUM has looked at the table yet
    conn.execute(f"SET plan_cache_mode = {mode}")
    order = prepared(conn, name)
    values = ", ".join(["%s"] * len(order))
    args = [params[key] for key in order]
    plan = value(conn, f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name} ({values})", args)
    return rows_touched(plan[0]["Plan"]), conn.execute(f"EXECUTE {name} ({values})", args).fetchall()


PLANNINGS = [pytest.param(analyzed, mode, id=f"{'analyzed' if analyzed else 'never-analyzed'}-{mode.split('_')[1]}")
             for analyzed in (False, True) for mode in ("force_generic_plan", "force_custom_plan")]


@pytest.mark.parametrize(("analyzed", "mode"), PLANNINGS)
def test_a_page_of_workspaces_touches_the_page_and_their_resources(conn: psycopg.Connection[Any], analyzed: bool,
                                                                   mode: str) -> None:
    touched, rows = planned_and_run(conn, "stamp_resources", PAGE, analyzed, mode)
    assert [(row[1], row[3]) for row in rows] == [(f"ws-{i:02d}", children_of(i)) for i in range(WORKSPACES)]
    answered = WORKSPACES + sum(children_of(i) for i in range(WORKSPACES))
    assert touched <= 2 * answered + 10, f"{touched} rows touched for {answered} answered and counted"


@pytest.mark.parametrize(("analyzed", "mode"), PLANNINGS)
def test_single_gets_touch_their_own_rows(conn: psycopg.Connection[Any], analyzed: bool, mode: str) -> None:
    touched, rows = planned_and_run(conn, "stamp_resource", GETS, analyzed, mode)
    assert [(row[0], row[2] is not None, row[4]) for row in rows] == [
        *((n, True, children_of(i)) for n, i in enumerate(ASKED)), (len(ASKED), False, None)]
    answered = len(ASKED) + sum(children_of(i) for i in ASKED)
    assert touched <= 2 * answered + 10, f"{touched} rows touched for {answered} answered and counted"


def test_the_read_pool_runs_a_page_on_the_plan_made_without_values(conn: psycopg.Connection[Any], database_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The plans tested above are the ones served: left to choose, PostgreSQL planned a page's statement again
    on every run (a custom plan: 1.5 ms of planning weighed against each run; twice the database CPU a page)."""
    monkeypatch.setitem(QUERIES, "prepared_here", "SELECT statement, generic_plans, custom_plans"
                                                  " FROM pg_prepared_statements")

    async def served() -> list[dict[str, Any]]:
        db = Database(database_url, min_size=1, max_size=1)
        reads = AsyncReads(db, size=1)
        try:
            for _ in range(10):  # psycopg prepares a statement on its fifth run
                assert len(await reads.all("stamp_resources", PAGE)) == WORKSPACES
            return await reads.all("prepared_here", {})
        finally:
            await reads.close()
            db.close()

    (page,) = [row for row in asyncio.run(served()) if "WITH batch AS" in row["statement"]]
    assert page["custom_plans"] == 0 and page["generic_plans"] >= 1, page
