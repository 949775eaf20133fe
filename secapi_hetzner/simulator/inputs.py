"""Reading request bodies: typed field access that fails with ``invalid_input`` naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import invalid_field
from .labels import validate_labels

Body = Mapping[str, Any]


def req_str(body: Body, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_field(name, "is required and must be a non-empty string")
    return value


def opt_str(body: Body, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid_field(name, "must be a string")
    return value


def opt_bool(body: Body, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_field(name, "must be a boolean")
    return value


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def req_int(body: Body, name: str) -> int:
    value = body.get(name)
    if not is_int(value):
        raise invalid_field(name, "is required and must be an integer")
    assert isinstance(value, int)
    return value


def opt_int(body: Body, name: str) -> int | None:
    return None if body.get(name) is None else req_int(body, name)


def opt_list(body: Body, name: str) -> list[Any]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_field(name, "must be a list")
    return value


def id_or_name(body: Body, name: str) -> int | str | None:
    """A reference given as an id or a name (hcloud sends ``id_or_name``)."""
    value = body.get(name)
    if value is None or is_int(value) or (isinstance(value, str) and value):
        return value
    raise invalid_field(name, "must be an ID or a name")


def opt_labels(body: Body) -> dict[str, str] | None:
    return None if body.get("labels") is None else validate_labels(body["labels"])


def one_of(body: Body, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
    value = body.get(name)
    value = default if value is None else value
    if value not in choices:
        raise invalid_field(name, f"must be one of {', '.join(choices)}")
    assert isinstance(value, str)
    return value
