"""Schemathesis over every operation of every spec document, in process, against the real stack
(service + real PostgreSQL + the Hetzner simulator over HTTP).

Supported operations must pass every Schemathesis check (0 server errors, 0 schema violations, valid
data accepted). Operations the capability matrix lists as planned or unsupported must answer 501
with a SECA error naming the capability, or reject the input before reaching the handler.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    status_code_conformance,
)

from secapi_hetzner.app import capabilities
from secapi_hetzner.scope import APIS, Api
from tests.conftest import OWN_SPEC, TENANT
from tests.contract.conftest import FuzzTarget, fuzz_settings

EXAMPLES = int(os.environ.get("SECA_FUZZ_EXAMPLES", "8"))
OPERATIONS = [(api, method, path, op_id) for api in APIS
              for method, path, op_id in capabilities.spec_operations(OWN_SPEC / api.document)]
SUPPORTED = {(row.api, row.operation_id) for row in capabilities.build_matrix(OWN_SPEC) if row.status == "supported"}


def _prepare(case: Any, token: str) -> tuple[dict[str, str], bool]:
    """The auth header, and whether the generated tenant was replaced by the token's own: other
    tenants are (rightly) 403, and a negative case whose only fault was the tenant is valid now."""
    replaced = bool(case.path_parameters) and case.path_parameters.get("tenant", TENANT) != TENANT
    if replaced:
        case.path_parameters["tenant"] = TENANT
    return {"Authorization": f"Bearer {token}"}, replaced


def _fabricated_skip_token(case: Any, response: Any) -> bool:
    """A skipToken the service never issued is rightly a 400 naming it, although the schema
    (a free string) cannot say so; anything else valid must still be accepted."""
    if response.status_code != 400 or not (case.query or {}).get("skipToken"):
        return False
    return bool([s for s in response.json().get("sources", []) if s.get("parameter") == "skipToken"])


def _stale_version(case: Any, response: Any) -> bool:
    """A generated ``if-unmodified-since`` almost never equals the resource's version: 412 is the
    right answer to valid data there."""
    headers = {k.lower() for k in (case.headers or {})}
    return response.status_code == 412 and "if-unmodified-since" in headers


def _action_refused(case: Any, response: Any) -> bool:
    """Starting a started instance (or stopping a stopped one) is 412, as the conformance suite demands,
    although the spec lists no 412 for actions (docs/compatibility.md)."""
    return case.method.upper() == "POST" and response.status_code == 412 and _rejected_by_state(response)


def _unroutable_path(response: Any) -> bool:
    """Control characters in a path parameter are schema-valid for the parameters without a pattern
    (tenant, workspace) but cannot be routed; the service answers 400 naming that, 412 on PUT and DELETE
    like every malformed input there (compatibility.md; tests/contract/test_unroutable.py)."""
    return response.status_code in (400, 412) and "path parameter contains characters" in response.text


def _malformed_selector(response: Any) -> bool:
    """The spec types ``labels`` as a free string and documents its syntax: a string outside that syntax
    is answered 400 naming the parameter (labels.py; tests/robustness/test_http_inputs.py)."""
    if response.status_code != 400:
        return False
    return [source.get("parameter") for source in response.json().get("sources") or []] == ["labels"]


def _wildcard_accept(case: Any) -> bool:
    """``Accept: */*`` is outside the spec's enum but served as JSON on purpose (docs/compatibility.md)."""
    accept = {k.lower(): v for k, v in (case.headers or {}).items()}.get("accept", "")
    return str(accept).strip() in ("*/*", "application/*")


def _rejected_by_state(response: Any) -> bool:
    """Schema-valid data can still reference things that do not exist (412, as the conformance suite
    demands) or hit a resource being deleted (409). Those are documented answers; a 412 because the
    server disagrees with the schema (meta.cause = "schema") is not, and still fails."""
    if response.status_code not in (409, 412):
        return False
    return (response.json().get("meta") or {}).get("cause") != "schema"


def _check_unbuilt(case: Any, response: Any) -> None:
    case.validate_response(response, excluded_checks=[not_a_server_error, status_code_conformance,
                                                      positive_data_acceptance])
    assert response.status_code != 500, response.text
    if response.status_code >= 500:
        body = response.json()
        assert response.status_code == 501 and body["meta"]["capability"].endswith(case.operation.definition
                                                                                  .raw["operationId"]), body


def exercise(case: Any, token: str, *, supported: bool, public: bool) -> None:
    """Send one generated case with ``token`` and apply every check that holds for this operation."""
    headers, replaced = _prepare(case, token)
    check_response(case, case.call(headers=headers), headers, supported=supported, public=public,
                   tenant_replaced=replaced)


def check_response(case: Any, response: Any, headers: dict[str, str], *, supported: bool, public: bool,
                   tenant_replaced: bool = False) -> None:
    # Schemathesis 4.32 no longer treats 401/403 on a secured operation as rejected valid data, so
    # a wrong token would pass every check. The token sent here is valid for the tenant in the path:
    # an authentication or authorization failure is a failure of the run.
    assert response.status_code not in (401, 403), f"{response.status_code}: {response.text[:300]}"
    if not supported:
        _check_unbuilt(case, response)
        return
    excluded = [ignored_auth] if public else []  # the discovery document is public on purpose
    if _fabricated_skip_token(case, response) or _stale_version(case, response) or _rejected_by_state(response):
        excluded.append(positive_data_acceptance)
    if _wildcard_accept(case) or tenant_replaced:
        excluded.append(negative_data_rejection)
    if _unroutable_path(response) or _malformed_selector(response):
        excluded.append(positive_data_acceptance)
    if _action_refused(case, response):
        excluded.append(status_code_conformance)
    case.validate_response(response, headers=headers, excluded_checks=excluded)


@pytest.mark.parametrize(("api", "method", "path", "operation_id"), OPERATIONS,
                         ids=[f"{api.slug}:{op_id}" for api, _, _, op_id in OPERATIONS])
def test_operation(target: FuzzTarget, api: Api, method: str, path: str, operation_id: str) -> None:
    operation = target.schemas[api.slug][path][method]
    supported = (api.provider, operation_id) in SUPPORTED

    @fuzz_settings(max_examples=EXAMPLES)
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        exercise(case, target.token, supported=supported, public=api.slug == "wellknown")

    run()


def test_a_wrong_token_fails_the_run(target: FuzzTarget) -> None:
    """Guard from stack-facts: with a bad token every request is 401, which must not pass as green."""
    operation = target.schemas["compute"]["/v1/tenants/{tenant}/skus"]["GET"]

    @fuzz_settings(max_examples=1)
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        exercise(case, "not-a-valid-token", supported=True, public=False)

    with pytest.raises(AssertionError, match="401"):
        run()
