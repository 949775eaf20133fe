"""Regression: control characters in a path parameter (found by a random fuzz run, seed
21283273617119673359695411351458988277 on deleteInstance). They are schema-valid for ``tenant`` and
``workspace`` but no SECA name may hold them, so the router cannot take them: 400 on reads, 412 on PUT
and DELETE like every malformed input there, always naming the cause and flagged ``meta.cause=schema``."""

from __future__ import annotations

import pytest

from tests.conftest import Service

WORKSPACE = "%C2%A2w%F3%BB%B6%AC%0Ab%C2%BE%C2%A7%3B%19%17"  # the fuzzer's name, shortened
INSTANCE = f"/providers/seca.compute/v1/tenants/acme/workspaces/{WORKSPACE}/instances/fknd0b02"


@pytest.mark.parametrize(("method", "status"), [("GET", 400), ("DELETE", 412), ("PUT", 412)])
def test_control_characters_in_the_workspace_name_are_named(service: Service, method: str, status: int) -> None:
    response = service.client.request(method, INSTANCE, json={"spec": {}} if method == "PUT" else None)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert "path parameter contains characters" in body["detail"]
    assert body["meta"]["cause"] == "schema"


def test_the_service_stays_healthy_after_them(service: Service) -> None:
    for _ in range(3):
        service.client.delete(INSTANCE)
    assert service.get("/providers/seca.compute/v1/tenants/acme/skus").status_code == 200


@pytest.mark.parametrize("name", ["%0A", "%0A%09", "%0A%0A"])
def test_a_workspace_named_only_by_control_characters_is_named_too(service: Service, name: str) -> None:
    """Found by a random `make fuzz` run (stateful, listBlockStorages with the workspace ``%0A``): urllib drops
    tabs and newlines from a URL, so the route check saw an empty segment and the answer was an undocumented
    404. It is the same malformed input as above. (A tab or a carriage return alone is routed like any name.)"""
    response = service.get(f"/providers/seca.storage/v1/tenants/acme/workspaces/{name}/block-storages",
                           params={"labels": "\u008e"})
    assert response.status_code == 400, response.text
    assert "path parameter contains characters" in response.json()["detail"]
