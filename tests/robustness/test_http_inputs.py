"""Bad input over HTTP answers a clear SECA error and never a 500 (issue 8): missing or oddly cased media
types, JSON nested deeper than any SECA body, numbers longer than any SECA number, malformed
if-unmodified-since values, bodies past the size limit, oversized label sets, names too long for the
scopes they are used in, malformed label selectors. After each, the service is healthy."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from secapi_hetzner.limits import MAX_BODY_BYTES, MAX_LABEL_KEY, MAX_LABEL_VALUE, MAX_LABELS
from tests.conftest import TENANT, Service

WS = "ws-inputs"
WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"
STORAGE = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages"
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}
SECA_TYPES = "http://secapi.cloud/errors/"


@pytest.fixture(scope="module", autouse=True)
def workspace(service: Service) -> None:
    assert service.put(f"{WORKSPACES}/{WS}", {"spec": {}}).status_code in (200, 201)


def _seca_error(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    body = response.json()
    assert body["type"].startswith(SECA_TYPES) and body["status"] == response.status_code, body
    assert "None" not in body["detail"] and "True" not in body["detail"], body["detail"]
    return dict(body)


def _healthy(service: Service) -> None:
    assert service.get(f"{WORKSPACES}/{WS}").status_code == 200


def _raw_put(service: Service, path: str, content: bytes, **headers: str) -> httpx.Response:
    return httpx.put(f"{service.url}{path}", content=content,
                     headers={"Authorization": f"Bearer {service.token}", **headers}, timeout=30)


# -- media types -----------------------------------------------------------------------------------------


def test_a_body_without_content_type_is_415(service: Service) -> None:
    body = _seca_error(_raw_put(service, f"{WORKSPACES}/no-type", b'{"spec": {}}'), 415)
    assert "application/json" in body["detail"]
    assert service.get(f"{WORKSPACES}/no-type").status_code == 404  # nothing was created
    _healthy(service)


@pytest.mark.parametrize("media_type", ["Application/JSON", "APPLICATION/JSON; charset=UTF-8",
                                        "application/json;charset=utf-8"])
def test_media_types_are_case_insensitive(service: Service, media_type: str) -> None:
    name = f"cased-{abs(hash(media_type)) % 10_000}"
    answer = _raw_put(service, f"{WORKSPACES}/{name}", b'{"spec": {}}', **{"Content-Type": media_type})
    assert answer.status_code in (200, 201), answer.text
    assert service.delete(f"{WORKSPACES}/{name}").status_code == 202


def test_another_media_type_is_415(service: Service) -> None:
    _seca_error(_raw_put(service, f"{WORKSPACES}/xml", b"<spec/>", **{"Content-Type": "application/xml"}), 415)


# -- JSON that no SECA body needs ------------------------------------------------------------------------


def test_json_nested_a_thousand_deep_is_refused(service: Service) -> None:
    deep = b'{"spec": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    _seca_error(_raw_put(service, f"{WORKSPACES}/deep", deep, **{"Content-Type": "application/json"}), 400, 412)
    _healthy(service)


def test_a_number_with_five_thousand_digits_is_refused(service: Service) -> None:
    huge = b'{"spec": {"sizeGB": ' + b"9" * 5000 + b', "skuRef": ' + json.dumps(LOCAL).encode() + b"}}"
    _seca_error(_raw_put(service, f"{STORAGE}/huge", huge, **{"Content-Type": "application/json"}), 400, 412)
    _healthy(service)


@pytest.mark.parametrize("value", [b"\xb2", "²".encode(), b"-", b"1e3", b"0x10", b"12a", b"+1"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_malformed_if_unmodified_since(service: Service, method: str, value: bytes) -> None:
    answer = httpx.request(method, f"{service.url}{WORKSPACES}/{WS}",
                           headers=[(b"authorization", f"Bearer {service.token}".encode()),
                                    (b"content-type", b"application/json"), (b"if-unmodified-since", value)],
                           content=b'{"spec": {}}' if method == "PUT" else None, timeout=30)
    _seca_error(answer, 400, 412)
    _healthy(service)


@pytest.mark.parametrize("value", [b"129492617337828500570112", b"-" + b"9" * 30, b"9" * 5000])
def test_an_integer_version_no_resource_can_have_is_stale_not_malformed(service: Service, value: bytes) -> None:
    """Any integer is a valid if-unmodified-since (the header's schema is ``integer``); one beyond a
    PostgreSQL bigint names no version a resource can have: writes are 412 as stale, an action on a missing
    instance is 404, a read ignores it (found by ``make fuzz`` on RestartInstance: it was 400)."""
    headers = {"Authorization": f"Bearer {service.token}", "if-unmodified-since": value.decode()}
    assert service.put(f"{WORKSPACES}/{WS}", {"spec": {}}).status_code in (200, 201)
    for method in ("PUT", "DELETE"):
        answer = httpx.request(method, f"{service.url}{WORKSPACES}/{WS}", headers=headers, timeout=30,
                               json={"spec": {}} if method == "PUT" else None)
        assert answer.status_code == 412 and "resourceVersion" in answer.json()["detail"], answer.text
    assert httpx.get(f"{service.url}{WORKSPACES}/{WS}", headers=headers).status_code == 200
    restart = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances/nowhere/restart"
    assert httpx.post(f"{service.url}{restart}", headers=headers).status_code == 404
    _healthy(service)


# -- limits ----------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_and_names_it(service: Service) -> None:
    big = b'{"spec": {}, "labels": {"a": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}}'
    body = _seca_error(_raw_put(service, f"{WORKSPACES}/big", big, **{"Content-Type": "application/json"}), 413)
    assert str(MAX_BODY_BYTES) in body["detail"] or "MiB" in body["detail"]
    _healthy(service)


def test_a_streamed_body_over_the_limit_is_413(service: Service) -> None:
    def chunks() -> Any:
        yield b'{"spec": {}, "labels": {"a": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
        yield b'"}}'

    answer = httpx.put(f"{service.url}{WORKSPACES}/streamed", content=chunks(), timeout=30,
                       headers={"Authorization": f"Bearer {service.token}", "Content-Type": "application/json"})
    _seca_error(answer, 413)
    _healthy(service)


@pytest.mark.parametrize("labels", [
    {f"k{i}": "v" for i in range(MAX_LABELS + 1)},  # too many
    {"k": "v" * (MAX_LABEL_VALUE + 1)},  # a value too long
    {"x" * (MAX_LABEL_KEY + 1): "v"},  # a key too long
    {"": "v"},  # an empty key
    {"tab\tkey": "v"},  # control characters
])
def test_labels_past_the_limits_are_refused(service: Service, labels: dict[str, str]) -> None:
    answer = service.put(f"{WORKSPACES}/labelled", {"spec": {}, "labels": labels})
    body = _seca_error(answer, 400, 412, 422)
    assert "label" in body["detail"].lower()
    assert service.get(f"{WORKSPACES}/labelled").status_code == 404


def test_labels_at_the_limits_are_accepted(service: Service) -> None:
    labels = {f"example.com/k{i}": "v" * MAX_LABEL_VALUE for i in range(MAX_LABELS)}
    answer = service.put(f"{WORKSPACES}/at-limit", {"spec": {}, "labels": labels})
    assert answer.status_code in (200, 201), answer.text
    assert service.delete(f"{WORKSPACES}/at-limit").status_code == 202


def test_a_workspace_name_longer_than_its_scope_allows_is_refused(service: Service) -> None:
    body = _seca_error(service.put(f"{WORKSPACES}/{'w' * 65}", {"spec": {}}), 400, 412)
    assert "64" in body["detail"]
    assert service.put(f"{WORKSPACES}/{'w' * 63}", {"spec": {}}).status_code == 201
    inside = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{'w' * 63}/block-storages/d"
    assert service.put(inside, {"spec": {"sizeGB": 10, "skuRef": LOCAL}}).status_code == 201


@pytest.mark.parametrize("selector", ["!!", "a==b", "=", "idx>abc", "a=b,,c=d", "env in (a,b)", "a!=!b"])
def test_malformed_label_selectors_are_400(service: Service, selector: str) -> None:
    body = _seca_error(service.get(WORKSPACES, params={"labels": selector}), 400)
    assert "label" in body["detail"].lower()


@pytest.mark.parametrize("selector", ["env=prod", "env!=prod", "env", "!env", "idx>3", "f=a=b", "*en*=p*"])
def test_well_formed_label_selectors_are_served(service: Service, selector: str) -> None:
    assert service.get(WORKSPACES, params={"labels": selector}).status_code == 200


# -- schema violations in words --------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "pointer", "words"), [
    ({"spec": {"sizeGB": "ten", "skuRef": LOCAL}}, "/spec/sizeGB", "spec.sizeGB must be an integer, not a string"),
    ({"spec": {"sizeGB": True, "skuRef": LOCAL}}, "/spec/sizeGB", "not true or false (true)"),
    ({"spec": {"sizeGB": 10, "skuRef": LOCAL}, "labels": {"a": None}}, "/labels/a", "must be a string, not null"),
    ({"spec": {"sizeGB": -1, "skuRef": LOCAL}}, "/spec/sizeGB", "spec.sizeGB must be at least"),
    ({"spec": {"skuRef": LOCAL}}, "/spec", "spec.sizeGB is required"),
])
def test_a_schema_violation_names_the_field_the_rule_and_the_value(service: Service, body: dict[str, Any],
                                                                   pointer: str, words: str) -> None:
    answer = _seca_error(service.put(f"{STORAGE}/described", body), 412)
    assert words in answer["detail"], answer["detail"]
    assert answer["sources"] == [{"pointer": pointer, "parameter": "body"}]
    assert answer["meta"]["cause"] == "schema" and set(answer["meta"]) == {"cause", "requestId"}


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "application/json"}, {"Content-Type": "Application/JSON"}])
def test_a_put_without_a_body_is_refused_and_creates_nothing(service: Service, headers: dict[str, str]) -> None:
    name = f"bodiless-{len(headers)}-{sum(map(ord, ''.join(headers.values()))) % 1000}"
    answer = _raw_put(service, f"{WORKSPACES}/{name}", b"", **headers)
    _seca_error(answer, 400, 412, 415)
    assert service.get(f"{WORKSPACES}/{name}").status_code == 404


@pytest.mark.parametrize("tenant", ["t" * 65, "", "a/b", " padded", "tab\there"])
def test_a_tenant_that_no_path_could_address_gets_no_token(service: Service, tenant: str) -> None:
    from secapi_hetzner.app.services import current

    with pytest.raises(ValueError, match="tenant path parameter"):
        current().tokens.issue(tenant)
    assert current().tokens.issue("t" * 64)  # the longest the tenant path parameter takes
