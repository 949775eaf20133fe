"""The base of every kind's typed *internal record*: the engine bookkeeping a kind keeps beside a
resource (Hetzner ids, placement, power intent), never shown to clients. Pure.

A record is a frozen dataclass stored as a JSON object with one key per field; ``None`` fields are
left out. Unknown keys are an error: every key a kind writes is declared on its record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Self


class InternalRecord:
    """Mixin for frozen dataclasses: ``from_json``/``to_json``/``changed``."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Self:
        values = dict(data or {})
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
        return cls(**{name: value for name, value in values.items() if value is not None})

    def to_json(self) -> dict[str, Any]:
        values = ((f.name, getattr(self, f.name)) for f in fields(self))  # type: ignore[arg-type]
        return {name: list(value) if isinstance(value, tuple) else value for name, value in values
                if value is not None}

    def changed(self, **changes: Any) -> Self:
        return replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class NoRecord(InternalRecord):
    """The record of a kind that keeps no bookkeeping (workspaces)."""


def merged(record_type: type[InternalRecord], current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` applied (a ``None`` clears a field), checked against ``record_type``."""
    values = {**current, **changes}
    return record_type.from_json({k: v for k, v in values.items() if v is not None}).to_json()
