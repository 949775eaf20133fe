"""Lists cost a constant number of SQL statements, whatever the page size: no statement per item (the
computed status fields of a page are read for the whole page at once)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from secapi_hetzner.app.services import current
from secapi_hetzner.store import repository
from tests.conftest import TENANT, Service
from tests.support.lists import names_across_pages
from tests.support.refs import ref

WS = "ws-lists"
ITEMS = 12
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"


COLLECTIONS: dict[str, tuple[str, Any]] = {
    "workspaces": (f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces", lambda i: {"spec": {}}),
    "block-storages": (f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages",
                       lambda i: {"spec": {"sizeGB": 20, "skuRef": ref("skus/local-nvme")}}),
    "route-tables": (f"{NET}/networks/net/route-tables", lambda i: {"spec": {"routes": [
        {"destinationCidrBlock": f"10.{i}.0.0/16", "targetRef": ref(f"instances/target-{i}")}]}}),
    "nics": (f"{NET}/nics", lambda i: {"spec": {"addresses": [f"10.4.1.{i + 10}"], "subnetRef": ref(
        f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net/subnets/sub")}}),
    "security-groups": (f"{NET}/security-groups", lambda i: {"spec": {"rules": [{"direction": "ingress"}]}}),
    "internet-gateways": (f"{NET}/internet-gateways", lambda i: {"spec": {}}),
}


@pytest.fixture(scope="module", autouse=True)
def estate(service: Service) -> None:
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}}).status_code \
        == 201
    assert service.put(f"{NET}/networks/net", {"spec": {"cidr": {"ipv4": "10.4.0.0/16"},
                                                        "skuRef": ref("skus/hetzner-private-network")}}).status_code \
        == 201
    table = ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net/route-tables/item-0")
    assert service.put(f"{NET}/networks/net/subnets/sub", {"spec": {"cidr": {"ipv4": "10.4.1.0/24"}, "zone": "fsn1",
                                                                     "routeTableRef": table}}).status_code == 201
    for collection, (path, body) in COLLECTIONS.items():
        for i in range(ITEMS):
            assert service.put(f"{path}/item-{i}", body(i)).status_code == 201, (collection, i)
    service.drain()


#: looked at at most once a second, whatever the request (revoked tokens, rotated credentials, access rules),
#: and expired page cursors deleted at most once a minute
PERIODIC = ("token_generation", "credential_generation", "access_rules", "expire_cursors")


def statements(service: Service, path: str, limit: int) -> Counter[str]:
    db = current().db
    before = Counter(db.executed)
    response = service.get(path, params={"limit": limit})
    assert response.status_code == 200 and len(response.json()["items"]) == limit
    spent = Counter(db.executed) - before
    for name in PERIODIC:
        spent.pop(name, None)
    return spent


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_a_list_costs_the_same_statements_for_any_page_size(service: Service, collection: str) -> None:
    path = COLLECTIONS[collection][0]
    small, large = statements(service, path, 2), statements(service, path, ITEMS - 2)  # both pages go on
    assert small == large, f"{collection}: {small} for 2 items, {large} for {ITEMS - 2}"
    assert sum(large.values()) <= 8, large


def test_a_sparse_label_filter_pages_through_every_match(service: Service) -> None:
    """A page reads its size and one more first; when a label filter hides most of that, it reads on in
    larger batches until the page is full, and the next page starts where it stopped."""
    base = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
    for i in range(13):
        labels = {"sparse": "yes"} if i % 4 == 0 else {"sparse": "no"}
        assert service.put(f"{base}/sparse-{i:02d}", {"labels": labels, "spec": {}}).status_code == 201
    seen = names_across_pages(service, base, {"limit": 2, "labels": "sparse=yes"}, most=5)
    assert seen == ["sparse-00", "sparse-04", "sparse-08", "sparse-12"]


def test_a_skip_token_past_its_hour_is_refused_though_its_row_is_still_there(service: Service) -> None:
    """Expired cursors are deleted at most once a minute, so a cursor read must check the expiry itself."""
    path = COLLECTIONS["workspaces"][0]
    token = service.get(path, params={"limit": 2}).json()["metadata"]["skipToken"]
    with current().db.connection() as conn:
        conn.execute("UPDATE page_cursors SET expires_at = now() - interval '1 second' WHERE token = %s", (token,))
    answer = service.get(path, params={"limit": 2, "skipToken": token})
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"].endswith("/invalid-request") and "skipToken" in answer.text
    with current().db.connection() as conn:  # still there: the answer did not depend on the deletion
        assert conn.execute("SELECT count(*) AS n FROM page_cursors WHERE token = %s", (token,)).fetchone() == {"n": 1}


def test_expired_cursors_are_deleted_by_a_paged_list_at_most_once_a_minute(service: Service,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repository, "_cursors_expired", {})  # as if this process had not deleted any for a minute
    with current().db.connection() as conn:
        conn.execute("INSERT INTO page_cursors (token, tenant, scope, after_name, expires_at)"
                     " VALUES ('old00', %s, 'x', '', now() - interval '1 minute')", (TENANT,))
    db = current().db
    before = db.executed["expire_cursors"]
    for _ in range(5):
        assert service.get(COLLECTIONS["workspaces"][0], params={"limit": 2}).json()["metadata"]["skipToken"]
    assert db.executed["expire_cursors"] - before == 1
    with current().db.connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM page_cursors WHERE token = 'old00'").fetchone() == {"n": 0}
