"""Workspaces over HTTP: create-or-replace, exact echo, condition history, lists, deletion rules."""

from __future__ import annotations

import pytest

from tests.conftest import TENANT, Service

BASE = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"


def states(body: dict) -> list[str]:
    return [c["state"] for c in body["status"]["conditions"]]


def test_lifecycle_with_exact_history(service: Service) -> None:
    sent = {"labels": {"env": "development"}, "annotations": {"description": "mine"}, "spec": {}}
    created = service.put(f"{BASE}/ws-life", sent)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["labels"] == sent["labels"] and body["annotations"] == sent["annotations"]
    assert "extensions" not in body
    meta = body["metadata"]
    assert meta["verb"] == "PUT" and meta["kind"] == "workspace" and meta["resourceVersion"] == 1
    assert meta["ref"] == f"seca.workspace/v1/tenants/{TENANT}/workspaces/ws-life"
    assert meta["resource"] == "workspaces/ws-life" and meta["region"] == "eu-central" and meta["tenant"] == TENANT
    assert states(body) == ["active", "creating", "pending"]
    got = service.get(f"{BASE}/ws-life").json()
    assert got["metadata"]["verb"] == "GET" and got["status"]["resourceCount"] == 0

    # a client re-sending the whole GET object with new labels: read-only noise is ignored
    got["labels"] = {"env": "conformance"}
    updated = service.put(f"{BASE}/ws-life", got)
    assert updated.status_code == 200
    assert updated.json()["status"]["state"] == "active"
    assert states(updated.json()) == ["active", "updating", "active", "creating", "pending"]
    assert updated.json()["metadata"]["resourceVersion"] == 2
    assert updated.json()["metadata"]["lastModifiedAt"] >= got["metadata"]["lastModifiedAt"]
    times = [c["lastTransitionAt"] for c in updated.json()["status"]["conditions"]]
    assert times == sorted(times, reverse=True)

    # an identical PUT is an accepted update like any other: recorded (updating, then active at once: a
    # workspace has nothing to do on Hetzner), as the conformance suite's histories expect
    again = service.put(f"{BASE}/ws-life", got)
    assert again.status_code == 200 and again.json()["metadata"]["resourceVersion"] == 3
    assert states(again.json())[:4] == ["active", "updating", "active", "updating"]

    assert service.delete(f"{BASE}/ws-life").status_code == 202
    assert service.get(f"{BASE}/ws-life").status_code == 404
    assert service.delete(f"{BASE}/ws-life").status_code == 404


def test_stale_if_unmodified_since_is_412(service: Service) -> None:
    service.put(f"{BASE}/ws-version", {"spec": {}})
    stale = service.put(f"{BASE}/ws-version", {"labels": {"a": "b"}, "spec": {}},
                        headers={"if-unmodified-since": "7"})
    assert stale.status_code == 412
    ok = service.put(f"{BASE}/ws-version", {"labels": {"a": "b"}, "spec": {}}, headers={"if-unmodified-since": "1"})
    assert ok.status_code == 200, ok.text
    assert service.delete(f"{BASE}/ws-version", headers={"if-unmodified-since": "1"}).status_code == 412
    assert service.delete(f"{BASE}/ws-version", headers={"if-unmodified-since": "2"}).status_code == 202


def test_region_in_body_must_match_the_endpoint(service: Service) -> None:
    bad = service.put(f"{BASE}/ws-region", {"metadata": {"region": "non-existent-region"}, "spec": {}})
    assert bad.status_code == 412
    assert bad.json()["sources"] == [{"pointer": "/metadata/region", "parameter": "body"}]
    other = service.put(f"/regions/us-east/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/ws-region",
                        {"metadata": {"region": "us-east"}, "spec": {}})
    assert other.status_code == 201 and other.json()["metadata"]["region"] == "us-east"


@pytest.mark.parametrize(("name", "body"), [
    ("a" * 129, {"spec": {}}),
    ("Invalid-Name-With-Uppercase", {"spec": {}}),
    ("ws-c", {"labels": {"k": "v" * 64}, "spec": {}}),
    ("ws-c", {"annotations": {"k": "v" * 1025}, "spec": {}}),
])
def test_constraint_violations_are_412(service: Service, name: str, body: dict) -> None:
    assert service.put(f"{BASE}/{name}", body).status_code == 412


def test_lists_filter_page_and_stay_consistent(service: Service) -> None:
    for index in range(7):
        service.put(f"{BASE}/page-{index}", {"labels": {"env": "conformance", "n": str(index)}, "spec": {}})
    first = service.get(BASE, params={"limit": 3, "labels": "env=conformance"}).json()
    assert [i["metadata"]["name"] for i in first["items"]] == ["page-0", "page-1", "page-2"]
    token = first["metadata"]["skipToken"]
    assert len(token) <= 5
    service.put(f"{BASE}/page-00", {"labels": {"env": "conformance"}, "spec": {}})  # lands before the cursor
    service.delete(f"{BASE}/page-4")
    second = service.get(BASE, params={"limit": 3, "labels": "env=conformance", "skipToken": token}).json()
    assert [i["metadata"]["name"] for i in second["items"]] == ["page-3", "page-5", "page-6"]
    assert "skipToken" not in second["metadata"]
    numeric = service.get(BASE, params={"labels": "n>=5"}).json()["items"]
    assert {i["metadata"]["name"] for i in numeric} == {"page-5", "page-6"}
    deleted = service.get(BASE, headers={"Accept": "application/json; deleted=only"}).json()["items"]
    assert "page-4" in {i["metadata"]["name"] for i in deleted}
    assert service.get(BASE, params={"skipToken": token, "labels": "other=1"}).status_code == 400


def test_workspace_with_children_refuses_deletion(service: Service) -> None:
    service.put(f"{BASE}/ws-parent", {"spec": {}})
    storage = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/ws-parent/block-storages/disk"
    child = service.put(storage, {"spec": {"sizeGB": 20, "skuRef": {
        "resource": f"seca.storage/v1/tenants/{TENANT}/skus/hetzner-volume"}}})
    assert child.status_code == 201, child.text
    assert service.get(f"{BASE}/ws-parent").json()["status"]["resourceCount"] == 1
    refused = service.delete(f"{BASE}/ws-parent")
    assert refused.status_code == 412 and "still holds 1 resource" in refused.json()["detail"]


def test_read_only_noise_in_the_body_is_ignored(service: Service) -> None:
    """What the conformance suite and Terraform send: zero-valued metadata and an empty status."""
    body = {
        "labels": {"env": "development"},
        "metadata": {"name": "ws-noise", "tenant": TENANT, "createdAt": "0001-01-01T00:00:00Z",
                     "lastModifiedAt": "0001-01-01T00:00:00Z", "resourceVersion": 0, "verb": "PUT",
                     "apiVersion": "", "kind": "", "ref": "", "provider": "", "resource": ""},
        "spec": {},
        "status": {"conditions": None, "state": ""},
    }
    response = service.put(f"{BASE}/ws-noise", body)
    assert response.status_code == 201, response.text
    assert response.json()["metadata"]["resourceVersion"] == 1
    assert response.json()["metadata"]["createdAt"] != "0001-01-01T00:00:00Z"
