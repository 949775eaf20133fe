"""Role-based access control over HTTP: tokens of different subjects, the roles and assignments an
administrator wrote through the Authorization API, and what each subject may then do, see and list."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from secapi_hetzner.app import access
from secapi_hetzner.app.services import current
from secapi_hetzner.app.tenant_rules import TenantRules
from tests.conftest import TENANT, Service

AUTHZ = f"/providers/seca.authorization/v1/tenants/{TENANT}"
WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
STORAGE = "/providers/seca.storage/v1/tenants/{t}/workspaces/{w}/block-storages"
COMPUTE = "/providers/seca.compute/v1/tenants/{t}/workspaces/{w}/instances"
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


def instances(workspace: str) -> str:
    return COMPUTE.format(t=TENANT, w=workspace)


def as_subject(service: Service, subject: str) -> httpx.Client:
    token = current().tokens.issue(TENANT, label=f"rbac-{subject}", subject=subject)
    return httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {token}"}, timeout=20)


@pytest.fixture(scope="module")
def estate(service: Service) -> Iterator[None]:
    """Two workspaces, an instance web-1 and web-2 in the first; roles and assignments for vera (viewer of
    ws-a) and otto (may see web-1 and act on it, nothing else)."""
    for ws in ("ws-a", "ws-b"):
        assert service.put(f"{WORKSPACES}/{ws}", {"spec": {}}).status_code == 201
    for vm in ("web-1", "web-2"):
        disk = f"{STORAGE.format(t=TENANT, w='ws-a')}/{vm}-boot"
        assert service.put(disk, {"spec": {"sizeGB": 20, "skuRef": LOCAL}}).status_code == 201
        body = {"spec": {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
                         "bootVolume": {"deviceRef": {"resource": f"block-storages/{vm}-boot"}}}}
        assert service.put(f"{instances('ws-a')}/{vm}", body).status_code == 201
    service.drain()
    roles: dict[str, list[dict[str, Any]]] = {
        "viewer": [{"provider": "seca.compute/v1", "resources": ["instances/*"], "verb": ["get", "list"]},
                   {"provider": "seca.workspace/v1", "resources": ["workspaces/*"], "verb": ["get"]}],
        "web-operator": [{"provider": "seca.compute/v1", "resources": ["instances/web-1"],
                          "verb": ["get", "list", "post"]}],
    }
    for name, permissions in roles.items():
        assert service.put(f"{AUTHZ}/roles/{name}", {"spec": {"permissions": permissions}}).status_code == 201
    assignments = {"viewers": (["viewer"], ["vera"], [{"workspaces": ["ws-a"]}]),
                   "ops": (["web-operator"], ["otto"], [{}])}
    for name, (granted, subs, scopes) in assignments.items():
        body = {"spec": {"roles": granted, "subs": subs, "scopes": scopes}}
        assert service.put(f"{AUTHZ}/role-assignments/{name}", body).status_code == 201
    yield


def assert_denied(response: httpx.Response, *hidden: str) -> None:
    assert response.status_code == 403, response.text
    problem = response.json()
    assert problem["type"].endswith("/forbidden") and problem["status"] == 403
    for name in hidden:
        assert name not in response.text


def test_a_subject_without_assignments_may_do_nothing(service: Service, estate: None) -> None:
    with as_subject(service, "nobody") as nobody:
        assert_denied(nobody.get(WORKSPACES), "ws-a", "ws-b")
        assert_denied(nobody.get(instances("ws-a")), "web-1")
        denied = nobody.put(f"{WORKSPACES}/ws-c", json={"spec": {}})
        assert_denied(denied)
        assert "'put'" in denied.json()["detail"] and "workspaces/ws-c" in denied.json()["detail"]
        assert_denied(nobody.get(f"{AUTHZ}/roles"), "viewer")
    assert service.get(f"{WORKSPACES}/ws-c").status_code == 404  # nothing was written


def test_a_viewer_sees_inside_its_workspace_only_and_changes_nothing(service: Service, estate: None) -> None:
    with as_subject(service, "vera") as vera:
        listed = vera.get(instances("ws-a"))
        assert listed.status_code == 200
        assert sorted(i["metadata"]["name"] for i in listed.json()["items"]) == ["web-1", "web-2"]
        assert vera.get(f"{instances('ws-a')}/web-1").status_code == 200
        assert vera.get(f"{WORKSPACES}/ws-a").status_code == 200
        assert_denied(vera.get(f"{WORKSPACES}/ws-b"))
        assert_denied(vera.get(instances("ws-b")))
        assert_denied(vera.post(f"{instances('ws-a')}/web-1/start"))
        assert_denied(vera.delete(f"{instances('ws-a')}/web-1"))
    assert service.get(f"{instances('ws-a')}/web-1").json()["status"]["state"] == "active"


def test_an_operator_of_one_instance_lists_and_acts_on_only_that_one(service: Service, estate: None) -> None:
    with as_subject(service, "otto") as otto:
        listed = otto.get(instances("ws-a"))
        assert listed.status_code == 200
        assert [i["metadata"]["name"] for i in listed.json()["items"]] == ["web-1"]  # web-2 is not shown
        assert_denied(otto.get(f"{instances('ws-a')}/web-2"))
        assert_denied(otto.post(f"{instances('ws-a')}/web-2/start"))
        assert otto.post(f"{instances('ws-a')}/web-1/start").status_code == 202  # post: every action
        assert_denied(otto.delete(f"{instances('ws-a')}/web-1"))
        body = {"spec": {"skuRef": {"resource": "skus/cx33"}, "zone": "fsn1",
                         "bootVolume": {"deviceRef": {"resource": "block-storages/web-1-boot"}}}}
        assert_denied(otto.put(f"{instances('ws-a')}/web-1", json=body))
    service.drain()


def test_a_removed_assignment_stops_working_on_the_next_request(service: Service, estate: None) -> None:
    assert service.put(f"{AUTHZ}/role-assignments/temp",
                       {"spec": {"roles": ["viewer"], "subs": ["tess"], "scopes": [{}]}}).status_code == 201
    with as_subject(service, "tess") as tess:
        assert tess.get(instances("ws-b")).status_code == 200
        assert service.delete(f"{AUTHZ}/role-assignments/temp").status_code == 202
        assert_denied(tess.get(instances("ws-b")))


def test_the_bootstrap_administrator_is_a_visible_assignment(service: Service, estate: None) -> None:
    admin = service.get(f"{AUTHZ}/role-assignments/admin").json()
    assert admin["spec"]["roles"] == ["admin"] and "admin" in admin["spec"]["subs"]
    role = service.get(f"{AUTHZ}/roles/admin").json()
    providers = {p["provider"] for p in role["spec"]["permissions"]}
    assert {"seca.compute/v1", "seca.authorization/v1", "seca.network/v1"} <= providers


def test_a_region_scoped_assignment_grants_the_same_read_in_its_region_only(service: Service) -> None:
    """The same subject, route and parameters, decided again for each region (decisions are remembered per
    request: the region is part of what one depends on)."""
    grant = [{"provider": "seca.compute/v1", "resources": ["skus/*"], "verb": ["get", "list"]}]
    assert service.put(f"{AUTHZ}/roles/sku-reader", {"spec": {"permissions": grant}}).status_code == 201
    scoped = {"spec": {"roles": ["sku-reader"], "subs": ["rita"], "scopes": [{"regions": ["us-east"]}]}}
    assert service.put(f"{AUTHZ}/role-assignments/rita-us-east", scoped).status_code == 201
    sku = f"/providers/seca.compute/v1/tenants/{TENANT}/skus"
    with as_subject(service, "rita") as rita:
        for _ in range(2):  # the second time from what was decided the first
            assert rita.get(f"/regions/us-east{sku}").status_code == 200
            assert_denied(rita.get(f"/regions/eu-central{sku}"))
            assert rita.get(f"/regions/us-east{sku}").status_code == 200


def test_a_role_revoked_through_another_replica_stops_working_within_a_second(service: Service, estate: None) -> None:
    """Another replica's change is not announced to this process: the rules a read decides with are never
    older than a second, so the revocation holds from a second after it was committed (the copy renewed
    in the background meanwhile began before the change and is not used past its second)."""
    assert service.put(f"{AUTHZ}/role-assignments/remote",
                       {"spec": {"roles": ["viewer"], "subs": ["rhea"], "scopes": [{}]}}).status_code == 201
    with as_subject(service, "rhea") as rhea:
        for _ in range(6):  # decided with rules of every age up to a second and a half, renewed meanwhile
            assert rhea.get(instances("ws-b")).status_code == 200
            time.sleep(0.25)
        with current().db.connection() as conn:  # what a replica's delete commits, unseen by this process
            conn.execute("UPDATE resources SET deleted_at = now() WHERE tenant = %s AND kind = 'role-assignment' "
                         "AND name = 'remote'", (TENANT,))
        time.sleep(1.0)
        assert_denied(rhea.get(instances("ws-b")))
        assert_denied(rhea.get(f"{instances('ws-a')}/web-1"))


def test_reads_arriving_together_without_the_rules_read_them_once(service: Service,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Thirty reads at once while the process holds no copy of the tenant's rules (as when the copy has
    aged past a second): one query for all of them, and every read is answered. The table is locked while
    they arrive, so the first query is still waiting when the others come (a copy that lives a minute here,
    so that no renewal starts meanwhile, however slow the machine)."""
    monkeypatch.setattr(access, "_rules", TenantRules(fresh_for=60, renew_after=60))
    db = current().db
    sku = f"/providers/seca.compute/v1/tenants/{TENANT}/skus"
    locked, release = threading.Event(), threading.Event()

    def hold_the_table() -> None:
        with db.connection() as conn, conn.transaction():
            conn.execute("LOCK TABLE resources IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(10)

    async def together() -> list[int]:
        async with httpx.AsyncClient(base_url=service.url, headers={"Authorization": f"Bearer {service.token}"},
                                     timeout=20) as client:
            asked = [asyncio.ensure_future(client.get(sku)) for _ in range(30)]
            await asyncio.sleep(0.5)
            release.set()
            return [r.status_code for r in await asyncio.gather(*asked)]

    holder = threading.Thread(target=hold_the_table)
    holder.start()
    try:
        assert locked.wait(10)
        before = db.executed["access_rules"]
        assert asyncio.run(together()) == [200] * 30
        assert db.executed["access_rules"] - before == 1
    finally:
        release.set()
        holder.join()
