"""The compiled parameter validator (app/validation.py) accepts, refuses and words its refusals exactly as
Connexion's own does; it only builds each parameter's schema validator once."""

from __future__ import annotations

from typing import Any

import pytest
from connexion.validators import ParameterValidator
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator  # type: ignore[import-untyped]

from secapi_hetzner.app.validation import CompiledParameterValidator, quick_pass

LIMIT: dict[str, Any] = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
NAME: dict[str, Any] = {"name": "name", "in": "path", "required": True,
                        "schema": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}}
LABELS: dict[str, Any] = {"name": "labels", "in": "query", "schema": {"type": "string"}}
NULLABLE: dict[str, Any] = {"name": "n", "in": "query", "schema": {"type": "integer", "nullable": True}}


@pytest.mark.parametrize(("param", "value"), [
    (LIMIT, 5), (LIMIT, 0), (LIMIT, 1001), (LIMIT, "x"), (LIMIT, None),
    (NAME, "ws-1"), (NAME, "WS"), (NAME, "a" * 64), (NAME, "-bad"), (NAME, None), (NAME, "\x00"),
    (LABELS, "env=prod"), (LABELS, None), (NULLABLE, "null"), (NULLABLE, None), (NULLABLE, 3),
])
def test_same_verdict_and_words_as_connexion(param: dict[str, Any], value: Any) -> None:
    ours = CompiledParameterValidator([param], uri_parser=None)
    for _ in range(2):  # the second time from the kept validator
        assert ours.validate_parameter(param["in"], value, param) == \
            ParameterValidator.validate_parameter(param["in"], value, param)


def test_each_parameter_is_compiled_once() -> None:
    CompiledParameterValidator._compiled.clear()
    param = dict(LIMIT)
    for _ in range(5):
        CompiledParameterValidator([param], uri_parser=None).validate_parameter("query", 3, param)
    assert list(CompiledParameterValidator._compiled) == [id(param)]


TENANT_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64, "description": "the tenant"}
SIMPLE = [NAME["schema"], LIMIT["schema"], LABELS["schema"], TENANT_SCHEMA, {"type": "integer", "nullable": True},
          {"type": "string", "pattern": "^[0-9]+$", "x-note": "digits"}, {"type": "integer", "maximum": 0}]
VALUES = st.one_of(st.text(max_size=80), st.from_regex(r"[a-z0-9][-a-z0-9]{0,70}", fullmatch=True),
                   st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(),
                   st.lists(st.integers(), max_size=2))


@settings(max_examples=300, deadline=None)
@given(schema=st.sampled_from(SIMPLE), value=VALUES)
def test_the_quick_pass_passes_only_what_draft_4_accepts(schema: dict[str, Any], value: Any) -> None:
    check = quick_pass(schema)
    assert check is not None
    if check(value):
        assert Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER).is_valid(value)


@settings(max_examples=200, deadline=None)
@given(param=st.sampled_from([LIMIT, NAME, LABELS]), value=VALUES)
def test_any_value_gets_connexions_verdict_and_words(param: dict[str, Any], value: Any) -> None:
    ours = CompiledParameterValidator([param], uri_parser=None)
    assert ours.validate_parameter(param["in"], value, param) == \
        ParameterValidator.validate_parameter(param["in"], value, param)


@pytest.mark.parametrize("schema", [
    {"type": "string", "format": "date-time"}, {"type": "string", "enum": ["a"]}, {"type": "number"},
    {"type": "integer", "minimum": 1, "exclusiveMinimum": True}, {"type": "integer", "minimum": 0.5},
    {"type": "integer", "maximum": True}, {"$ref": "#/x"}, {"type": "string", "maxLength": "3"}, "string",
])
def test_any_other_schema_is_left_to_draft_4(schema: Any) -> None:
    assert quick_pass(schema) is None


def test_the_quick_pass_takes_the_simple_schemas_whole() -> None:
    name = quick_pass(NAME["schema"])
    assert name is not None and name("ws-1") and not name("WS") and not name("a" * 64) and not name(7)
    limit = quick_pass(LIMIT["schema"])
    assert limit is not None and limit(1000) and not limit(1001) and not limit(True) and not limit(5.0)
