"""The compiled parameter validator (app/validation.py) accepts, refuses and words its refusals exactly as
Connexion's own does; it only builds each parameter's schema validator once."""

from __future__ import annotations

from typing import Any

import pytest
from connexion.validators import ParameterValidator

from secapi_hetzner.app.validation import CompiledParameterValidator

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
