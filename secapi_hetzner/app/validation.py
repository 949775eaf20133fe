"""Schema violations in words: which field, which rule, which value, with the field's JSON pointer in the
error's ``sources`` (Connexion's own message is a jsonschema dump with Python ``None``/``True``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

from secapi_hetzner import errors

JSON_TYPES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
              "object": "an object", "array": "an array", "null": "null"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _shown(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pointer_of(error: ValidationError) -> str:
    return errors.json_pointer(error.absolute_path)


def describe(error: ValidationError) -> str:
    """One sentence for a jsonschema error. Pure."""
    path = ".".join(str(part) for part in error.absolute_path)
    field = f"{path}" if path else "the body"
    rule, expected, value = error.validator, error.validator_value, error.instance
    if rule == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(JSON_TYPES.get(str(k), str(k)) for k in kinds)
        return f"{field} must be {wanted}, not {_json_type(value)} ({_shown(value)})."
    if rule == "required":
        missing = next((name for name in expected if isinstance(value, dict) and name not in value), "?")
        return f"{path + '.' if path else ''}{missing} is required."
    if rule == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {}))) if isinstance(value, dict) else []
        return f"{field} does not take {', '.join(repr(e) for e in extra) or 'other properties'}."
    if rule in ("maxLength", "minLength"):
        bound = "at most" if rule == "maxLength" else "at least"
        return f"{field} may have {bound} {expected} characters, not {len(value)}." if rule == "maxLength" else \
            f"{field} must have {bound} {expected} characters, not {len(value)}."
    if rule in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
        words = {"maximum": "at most", "minimum": "at least", "exclusiveMaximum": "below",
                 "exclusiveMinimum": "above"}[str(rule)]
        return f"{field} must be {words} {expected}, not {_shown(value)}."
    if rule == "pattern":
        return f"{field} must match the pattern {expected}; {_shown(value)} does not."
    if rule == "enum":
        return f"{field} must be one of {', '.join(_shown(v) for v in expected)}, not {_shown(value)}."
    if rule == "format":
        return f"{field} must be a valid {expected}, not {_shown(value)}."
    if rule in ("maxItems", "minItems", "maxProperties", "minProperties"):
        bound = "at most" if rule.startswith("max") else "at least"
        unit = "items" if rule.endswith("Items") else "entries"
        return f"{field} must have {bound} {expected} {unit}, not {len(value)}."
    if rule in ("oneOf", "anyOf"):
        return f"{field} matches none of the forms it may take ({_shown(value)})."
    return f"{field} breaks the rule {rule!r} of the schema ({_shown(value)})."


class ReadableJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    def _validate(self, body: Any) -> dict[str, Any] | None:
        try:
            return super()._validate(body)  # type: ignore[no-any-return]
        except ProblemException:
            error = best_match(self._validator.iter_errors(body)) if body is not None else None
            if error is None:
                raise
            raise ProblemException(status=400, title="Bad Request", detail=describe(error),
                                   ext={"pointer": pointer_of(error)}) from None


#: keywords Draft 4 validation ignores (annotations, OpenAPI's own, extensions start with ``x-``)
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "default", "nullable", "readOnly",
                          "writeOnly", "deprecated", "externalDocs", "xml"})


def _annotation(key: str) -> bool:
    return key in _ANNOTATIONS or key.startswith("x-")


def quick_pass(schema: Any) -> Callable[[Any], bool] | None:
    """For the simple schemas SECA's parameters have (a string with lengths and a pattern, an integer with
    bounds), a check that is true only for values Draft 4 validation accepts (the same ``len``, the same
    ``re.search``, the same inclusive bounds); None for any other schema. A value it does not pass is
    validated by ``Draft4Validator`` as before, which gives the verdict and the words. Pure."""
    if not isinstance(schema, dict):
        return None
    rules = {key: value for key, value in schema.items() if not _annotation(key)}
    kind = rules.pop("type", None)
    if kind == "string" and set(rules) <= {"minLength", "maxLength", "pattern"}:
        shortest, longest = rules.get("minLength", 0), rules.get("maxLength")
        pattern = re.compile(rules["pattern"]) if "pattern" in rules else None
        if not isinstance(shortest, int) or not isinstance(longest, int | None):
            return None
        return lambda value: (type(value) is str and shortest <= len(value)
                              and (longest is None or len(value) <= longest)
                              and (pattern is None or pattern.search(value) is not None))
    if kind == "integer" and set(rules) <= {"minimum", "maximum"}:
        low, high = rules.get("minimum"), rules.get("maximum")
        if not all(isinstance(bound, int | None) and not isinstance(bound, bool) for bound in (low, high)):
            return None
        return lambda value: (type(value) is int and (low is None or value >= low)
                              and (high is None or value <= high))
    return None


class CompiledParameterValidator(ParameterValidator):  # type: ignore[misc]
    """Connexion's parameter validation, unchanged in what it accepts and says, with each parameter's schema
    validator built once: Connexion deep-copies the parameter and builds a ``Draft4Validator`` for every
    parameter of every request (a fifth of a catalog read's time). A value of a simple schema that
    :func:`quick_pass` passes needs no ``Draft4Validator`` at all (about 10 µs a parameter)."""

    #: id(parameter) → (parameter, its validator, its quick pass), for every process-wide parameter (Connexion
    #: makes a validator per request); the parameter is kept, so its id is never reused. Bounded: emptied when
    #: full (one service has fewer parameters; a test session builds many apps).
    _compiled: dict[int, tuple[dict[str, Any], Any, Callable[[Any], bool] | None]] = {}
    CAPACITY = 8192

    def validate_parameter(self, parameter_type: str, value: Any, param: dict[str, Any],
                           param_name: str | None = None) -> str | None:
        if value is None or (is_nullable(param) and is_null(value)):
            return super().validate_parameter(parameter_type, value, param, param_name)  # type: ignore[no-any-return]
        compiled = self._compiled.get(id(param))
        if compiled is None or compiled[0] is not param:
            schema = param.get("schema", param)
            compiled = (param, Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER),
                        quick_pass(schema))
            if len(self._compiled) >= self.CAPACITY:
                self._compiled.clear()
            self._compiled[id(param)] = compiled
        if compiled[2] is not None and compiled[2](value):
            return None
        try:
            compiled[1].validate(value)
        except ValidationError as exception:
            return str(exception)
        return None


#: Connexion's validators with ours for JSON bodies (a MediaTypeDict: ``*/*json`` matches by pattern)
VALIDATORS = {**VALIDATOR_MAP, "parameter": CompiledParameterValidator,
              "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": ReadableJSONBodyValidator})}
