"""Roles and role assignments over HTTP, following the official suite's Authorization scenarios (lifecycle,
queries, errors): global resources (no region), instant, validated, with the same engine semantics as every
kind. Enforcement on requests is not built yet (the capability matrix says partial)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TENANT, Service

AUTHZ = f"/providers/seca.authorization/v1/tenants/{TENANT}"
ROLES, ASSIGNMENTS = f"{AUTHZ}/roles", f"{AUTHZ}/role-assignments"


def states(body: dict[str, Any]) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def role(*verbs: str, provider: str = "seca.storage/v1", resources: tuple[str, ...] = ("images/base",),
         **extra: Any) -> dict[str, Any]:
    return {"spec": {"permissions": [{"provider": provider, "resources": list(resources), "verb": list(verbs)}]},
            **extra}


def assignment(roles: list[str], subs: list[str], scopes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"spec": {"roles": roles, "subs": subs, "scopes": scopes or [{"tenants": [TENANT]}]}}


def test_role_lifecycle_as_the_suite_runs_it(service: Service) -> None:
    created = service.put(f"{ROLES}/reader", role("GET", labels={"env": "conformance"}))
    assert created.status_code == 201, created.text
    body = created.json()
    meta = body["metadata"]
    assert (meta["kind"], meta["provider"], meta["resource"], meta["verb"]) == \
        ("role", "seca.authorization/v1", "roles/reader", "PUT")
    assert meta["ref"] == f"seca.authorization/v1/tenants/{TENANT}/roles/reader" and meta["tenant"] == TENANT
    assert "region" not in meta and "workspace" not in meta  # global, tenant-wide
    assert body["status"]["state"] in ("pending", "creating", "active")
    got = service.get(f"{ROLES}/reader").json()
    assert states(got) == ["active", "creating", "pending"] and got["metadata"]["verb"] == "GET"
    assert got["spec"]["permissions"][0]["verb"] == ["GET"]  # echoed as sent

    got["spec"]["permissions"][0]["verb"] = ["GET", "PUT"]
    updated = service.put(f"{ROLES}/reader", got)
    assert updated.status_code == 200 and updated.json()["status"]["state"] in ("active", "updating")
    got = service.get(f"{ROLES}/reader").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["spec"]["permissions"][0]["verb"] == ["GET", "PUT"]

    assert service.delete(f"{ROLES}/reader").status_code == 202
    assert service.get(f"{ROLES}/reader").status_code == 404


def test_role_assignment_lifecycle_with_a_role_that_is_never_created(service: Service) -> None:
    """RoleAssignmentLifeCycle assigns a role it never creates: accepted (it grants nothing until it exists)."""
    created = service.put(f"{ASSIGNMENTS}/ra-life", assignment(["never-created"], ["u1"]))
    assert created.status_code == 201, created.text
    assert created.json()["metadata"]["kind"] == "role-assignment"
    assert created.json()["metadata"]["resource"] == "role-assignments/ra-life"
    got = service.get(f"{ASSIGNMENTS}/ra-life").json()
    assert states(got) == ["active", "creating", "pending"]
    got["spec"]["subs"] = ["u1", "u1"]  # the suite's second subject may equal the first
    assert service.put(f"{ASSIGNMENTS}/ra-life", got).status_code == 200
    got = service.get(f"{ASSIGNMENTS}/ra-life").json()
    assert states(got) == ["active", "updating", "active", "creating", "pending"]
    assert got["spec"]["subs"] == ["u1", "u1"]
    assert service.delete(f"{ASSIGNMENTS}/ra-life").status_code == 202
    assert service.get(f"{ASSIGNMENTS}/ra-life").status_code == 404


def test_queries_list_roles_and_assignments_with_limits_and_labels(service: Service) -> None:
    labels = {"suite": "queries"}
    for name in ("q1", "q2", "q3"):
        assert service.put(f"{ROLES}/{name}", role("get", "list", labels=labels)).status_code == 201
    for name, granted in (("qa1", "q2"), ("qa2", "q2"), ("qa3", "q3")):
        body = {**assignment([granted], ["alice"]), "labels": labels}
        assert service.put(f"{ASSIGNMENTS}/{name}", body).status_code == 201
    for base, names in ((ROLES, ["q1", "q2", "q3"]), (ASSIGNMENTS, ["qa1", "qa2", "qa3"])):
        everything = service.get(base, params={"labels": "suite=queries"}).json()
        assert [i["metadata"]["name"] for i in everything["items"]] == names
        assert everything["metadata"]["verb"] == "GET"
        first = service.get(base, params={"labels": "suite=queries", "limit": 1}).json()
        assert len(first["items"]) == 1 and first["metadata"].get("skipToken")
        rest = service.get(base, params={"labels": "suite=queries", "limit": 1000,
                                         "skipToken": first["metadata"]["skipToken"]}).json()
        assert [i["metadata"]["name"] for i in rest["items"]] == names[1:]
        assert service.get(base, params={"labels": "suite=other"}).json()["items"] == []
    for path in [f"{ASSIGNMENTS}/qa{i}" for i in (1, 2, 3)] + [f"{ROLES}/q{i}" for i in (1, 2, 3)]:
        assert service.delete(path).status_code == 202


@pytest.mark.parametrize(("body", "field"), [
    (role("GET", provider="seca.unknown/v1"), "/spec/permissions/0/provider"),
    ({"spec": {"permissions": []}}, "/spec/permissions"),
    (role("CONNECT"), "/spec/permissions/0/verb/0"),
    (role("get", resources=("instances//x",)), "/spec/permissions/0/resources/0"),
])
def test_a_wrong_role_is_412_naming_the_field(service: Service, body: dict[str, Any], field: str) -> None:
    refused = service.put(f"{ROLES}/wrong", body)
    assert refused.status_code == 412, refused.text
    assert [s.get("pointer") for s in refused.json()["sources"]] == [field], refused.json()
    assert service.get(f"{ROLES}/wrong").status_code == 404


@pytest.mark.parametrize(("scope", "field"), [
    ({"tenants": ["someone-else"]}, "/spec/scopes/0/tenants/0"),
    ({"tenants": ["*"]}, "/spec/scopes/0/tenants/0"),  # never past the tenant the assignment belongs to
    ({"tenants": [TENANT], "regions": ["invalid-region"]}, "/spec/scopes/0/regions/0"),
])
def test_an_assignment_reaching_outside_its_tenant_or_region_is_412(
        service: Service, scope: dict[str, Any], field: str) -> None:
    refused = service.put(f"{ASSIGNMENTS}/wrong", assignment(["admin"], ["u1"], [scope]))
    assert refused.status_code == 412, refused.text
    assert [s.get("pointer") for s in refused.json()["sources"]] == [field], refused.json()


def test_an_assignment_may_name_workspaces_that_do_not_exist_yet(service: Service) -> None:
    """Usage.V1.MultiWorkspaceIsolation scopes an assignment to two workspaces before creating them."""
    body = assignment(["editor"], ["bob"], [{"tenants": [TENANT], "regions": ["eu-central"],
                                            "workspaces": ["later-a", "later-b"]}])
    assert service.put(f"{ASSIGNMENTS}/ahead", body).status_code == 201
    assert service.delete(f"{ASSIGNMENTS}/ahead").status_code == 202

