"""Golden tests: every mapping of the one error mapper."""

import json
from pathlib import Path

import pytest
import yaml

from secapi_hetzner import errors
from secapi_hetzner.app.problems import EXCEPTION_STATUS, STATUS_TABLE, SecaErrorType, error_body, status_for

SPEC = Path(__file__).resolve().parents[2] / "spec"


@pytest.mark.parametrize(("exc", "status", "type_suffix"), [
    (errors.InvalidRequest("x"), 400, "invalid-request"),
    (errors.Unauthenticated("x"), 401, "unauthorized"),
    (errors.Forbidden("x"), 403, "forbidden"),
    (errors.NotFound("x"), 404, "resource-not-found"),
    (errors.Conflict("x"), 409, "resource-conflict"),
    (errors.PreconditionFailed("x"), 412, "precondition-failed"),
    (errors.ValidationFailed("x"), 422, "validation-error"),
    (errors.NotImplementedYet("x"), 501, "internal-server-error"),
    (errors.Unavailable("x"), 503, "internal-server-error"),
    (errors.SecaError("x"), 500, "internal-server-error"),
])
def test_every_error_class_maps_to_status_and_spec_type(exc: errors.SecaError, status: int,
                                                        type_suffix: str) -> None:
    assert status_for(exc) == status
    body = error_body(status, exc.detail, instance="/x")
    assert body["type"] == f"http://secapi.cloud/errors/{type_suffix}"
    assert body["status"] == status and body["detail"] == "x" and body["instance"] == "/x"
    assert body["sources"] == []


def test_every_exception_class_is_in_the_table() -> None:
    classes = {errors.SecaError, *errors.SecaError.__subclasses__()}
    assert classes == set(EXCEPTION_STATUS)


def test_error_types_are_exactly_the_spec_enum() -> None:
    text = (SPEC / "schemas" / "errors.yaml").read_text()
    found = {word.rstrip("'\",") for word in text.split() if word.startswith("http://secapi.cloud/errors/")}
    assert {str(t) for t in SecaErrorType} == found


def test_sources_and_limits() -> None:
    body = error_body(400, "d" * 40000, instance="/" + "p" * 500, pointer="/spec/x", parameter="labels")
    assert body["sources"] == [{"pointer": "/spec/x", "parameter": "labels"}]
    assert error_body(400, "x", instance="/", parameter="skipToken")["sources"] == [
        {"pointer": "/", "parameter": "skipToken"}]
    assert len(body["detail"]) == 32768 and len(body["instance"]) == 256
    json.dumps(body)


def test_statuses_have_titles() -> None:
    for status, (error_type, title) in STATUS_TABLE.items():
        assert isinstance(error_type, SecaErrorType) and title, status


def test_spec_error_schema_requires_what_we_send() -> None:
    schema = yaml.safe_load((SPEC / "schemas" / "errors.yaml").read_text())["components"]["schemas"]["Error"]
    assert set(schema["required"]) <= set(error_body(400, "x", instance="/x"))
