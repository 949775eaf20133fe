"""Authentication, tenant isolation, malformed input and unbuilt operations: always a SECA error body."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Service

SKUS = "/providers/seca.compute/v1/tenants/acme/skus"
ERROR_KEYS = {"type", "title", "status", "detail", "instance", "sources"}


def assert_error(response: httpx.Response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert ERROR_KEYS <= set(body) and body["status"] == status
    assert body["type"] == f"http://secapi.cloud/errors/{kind}"
    return body


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic eDp5"},
                                     {"Authorization": "Bearer"}])
def test_bad_or_missing_token_is_401(service: Service, headers: dict[str, str]) -> None:
    response = httpx.get(service.url + SKUS, headers=headers)
    assert_error(response, 401, "unauthorized")


def test_token_is_never_echoed(service: Service) -> None:
    response = httpx.get(service.url + SKUS, headers={"Authorization": "Bearer secret-looking-token"})
    assert "secret-looking-token" not in response.text


def test_other_tenant_is_403(service: Service) -> None:
    assert_error(service.get("/providers/seca.compute/v1/tenants/someone-else/skus"), 403, "forbidden")


def test_wellknown_and_health_need_no_token(service: Service) -> None:
    assert httpx.get(service.url + "/.wellknown/secapi").status_code == 200
    assert httpx.get(service.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(service.url + "/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "hetzner": "ok", "backend": "simulator"}


def test_a_skip_token_not_issued_by_the_service_is_400(service: Service) -> None:
    body = assert_error(service.get(SKUS, params={"skipToken": "NOT-A-TOKEN"}), 400, "invalid-request")
    assert body["sources"] == [{"pointer": "/", "parameter": "skipToken"}]


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "10001"}, {"limit": "many"}, {"unknown": "1"}])
def test_schema_violations_in_queries_are_400(service: Service, params: dict[str, str]) -> None:
    assert_error(service.get(SKUS, params=params), 400, "invalid-request")


def test_wildcard_accept_is_served_as_json(service: Service) -> None:
    assert service.get(SKUS, headers={"Accept": "*/*"}).status_code == 200
    assert_error(service.get(SKUS, headers={"Accept": "text/html"}), 400, "invalid-request")


WORKSPACE = "/providers/seca.workspace/v1/tenants/acme/workspaces/ws-1"


def test_rejected_put_bodies_answer_412(service: Service) -> None:
    """The official conformance suite expects 412 for rejected writes (docs/compatibility.md)."""
    too_long = {"labels": {"env": "x" * 64}, "spec": {}}
    assert_error(service.client.put(WORKSPACE, json=too_long), 412, "precondition-failed")
    bad_name = service.client.put("/providers/seca.workspace/v1/tenants/acme/workspaces/Bad_Name", json={"spec": {}})
    assert_error(bad_name, 412, "precondition-failed")


@pytest.mark.parametrize("content", [b"\xff\xfe{not utf8", b"{", b"[]", b'{"spec": 5}',
                                     b'{"spec": {}, "labels": {"a": "\\u0000"}}'])
def test_malformed_bodies_never_500(service: Service, content: bytes) -> None:
    response = service.client.put(WORKSPACE, content=content, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert ERROR_KEYS <= set(response.json())


def test_unbuilt_operation_is_501_naming_the_capability(service: Service) -> None:
    response = service.get("/providers/seca.load-balancer/v1beta1/tenants/acme/workspaces/w/network-load-balancers")
    body = assert_error(response, 501, "internal-server-error")
    assert body["meta"]["capability"] == "seca.load-balancer/v1beta1:listNetworkLoadBalancers"
    assert "not built yet" in body["detail"]


def test_unsupported_extension_says_why(service: Service) -> None:
    response = service.get("/providers/seca.kubernetes/v1beta1/tenants/acme/workspaces/w/clusters")
    body = assert_error(response, 501, "internal-server-error")
    assert "no managed Kubernetes" in body["detail"]


def test_unknown_path_is_404_problem(service: Service) -> None:
    assert_error(service.get("/providers/seca.nothing/v1/x"), 404, "resource-not-found")


def test_control_characters_in_a_path_parameter_are_400_not_404(service: Service) -> None:
    response = service.get("/providers/seca.compute/v1/tenants/acme/workspaces/bad%0Aname/instances")
    assert_error(response, 400, "invalid-request")
