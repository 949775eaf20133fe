"""A list's statement does the same work whatever PostgreSQL knows about the table.

psycopg prepares a statement once a connection has run it five times, and PostgreSQL may then plan it without
the parameters' values. On a ``resources`` table no ANALYZE has seen yet (every new deployment, until
autovacuum gets to it), such a plan counted a page of workspaces' resources once *per workspace*: a list of 50
workspaces took 16 ms of database time instead of 0.3 ms, and 260 ms beside 25,000 resources. Here the
statement of a page of workspaces (``stamp_resources``) is planned every way it can be (generic and custom,
before and after ANALYZE) and run; each scan of ``resources`` in it must run once per statement, not once
per item, and its counts must be right.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from secapi_hetzner.store.db import QUERIES

TENANT = "plans"
WORKSPACES = 30
PARAMS: dict[str, Any] = {"tenant": TENANT, "workspace": "", "parent": "", "kind": "workspace", "after": "",
                          "deleted": "exclude", "batch": WORKSPACES + 1, "children": True, "targets": ""}


def children_of(i: int) -> int:
    return i % 4  # 0 to 3 live resources in each workspace


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database_url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        rows = [(TENANT, "", "workspace", f"ws-{i:02d}") for i in range(WORKSPACES)]
        rows += [(TENANT, f"ws-{i:02d}", "instance", f"vm-{j}")
                 for i in range(WORKSPACES) for j in range(children_of(i))]
        rows += [(f"other-{i % 7}", f"ws-{i % 3:02d}", "instance", f"vm-{i}") for i in range(200)]
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO resources (tenant, workspace, kind, name, api) VALUES (%s, %s, %s, %s, 'x')",
                            rows)
            # one more in ws-01, being deleted: not counted
            cur.execute("INSERT INTO resources (tenant, workspace, kind, name, api, deleted_at)"
                        " VALUES (%s, 'ws-01', 'instance', 'leaving', 'x', now())", (TENANT,))
        yield conn


def prepared(conn: psycopg.Connection[Any], name: str) -> list[str]:
    """Prepare the named query as the server would see it from psycopg (``$n`` parameters, types inferred);
    the parameters' names in order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    text = re.sub(r"%\((\w+)\)s", number, QUERIES[name]).replace("%%", "%")
    conn.execute(f"PREPARE {name} AS {text}")
    return order


def value(conn: psycopg.Connection[Any], sql: str, args: list[Any] | None = None) -> Any:
    row = conn.execute(sql, args).fetchone()
    assert row is not None
    return row[0]


def scans_of_resources(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if plan.get("Relation Name") == "resources":
        yield plan
    for child in plan.get("Plans", []):
        yield from scans_of_resources(child)


def explained(conn: psycopg.Connection[Any], name: str, order: list[str]) -> tuple[dict[str, Any], list[Any]]:
    values = ", ".join(["%s"] * len(order))
    args = [PARAMS[key] for key in order]
    plan = value(conn, f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name} ({values})", args)
    rows = conn.execute(f"EXECUTE {name} ({values})", args).fetchall()
    return plan[0]["Plan"], rows


@pytest.mark.parametrize("analyzed", [False, True], ids=["never-analyzed", "analyzed"])
@pytest.mark.parametrize("mode", ["force_generic_plan", "force_custom_plan"])
def test_a_page_of_workspaces_counts_their_resources_once_per_page(conn: psycopg.Connection[Any], analyzed: bool,
                                                                    mode: str) -> None:
    if analyzed:
        conn.execute("ANALYZE resources")
    reltuples = value(conn, "SELECT reltuples FROM pg_class WHERE relname = 'resources'")
    assert (reltuples >= 0) is analyzed  # -1: no ANALYZE or VACUUM has looked at the table yet
    conn.execute(f"SET plan_cache_mode = {mode}")
    order = prepared(conn, "stamp_resources")
    plan, rows = explained(conn, "stamp_resources", order)

    scans = list(scans_of_resources(plan))
    assert scans, plan
    per_item = [(scan["Node Type"], scan.get("Index Name"), scan["Actual Loops"]) for scan in scans
                if scan["Actual Loops"] > 1]
    assert not per_item, f"scans of resources run per item: {per_item}"
    assert [(row[1], row[3]) for row in rows] == [(f"ws-{i:02d}", children_of(i)) for i in range(WORKSPACES)]
