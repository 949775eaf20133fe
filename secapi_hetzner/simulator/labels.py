"""Label validation and Hetzner's label selector language (FACTS.md §3.7).

Selector syntax, comma = AND: ``k=v``, ``k==v``, ``k!=v``, ``k`` (present), ``!k`` (absent),
``k in (v1,v2)``, ``k notin (v1,v2)``. A malformed selector is ``invalid_input`` on the
``label_selector`` field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .errors import SimError, invalid_input

_NAME: Final = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?"
_DNS_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
KEY_RE: Final = re.compile(rf"^(?:(?P<prefix>{_DNS_LABEL}(?:\.{_DNS_LABEL})*)/)?{_NAME}$")
VALUE_RE: Final = re.compile(rf"^(?:{_NAME})?$")
RESERVED_PREFIX: Final = "hetzner.cloud/"
MAX_PREFIX: Final = 253

_SET_TERM: Final = re.compile(r"^(?P<key>[^\s!=(),]+)\s+(?P<op>in|notin)\s+\((?P<values>[^()]*)\)$")
_EQ_TERM: Final = re.compile(r"^(?P<key>[^\s!=(),]+)\s*(?P<op>==|!=|=)\s*(?P<value>[^\s!=(),]*)$")


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label key, or None."""
    match = KEY_RE.match(key)
    if match is None:
        return f"label key '{key}' is not correctly formatted"
    prefix = match.group("prefix")
    if prefix is not None and len(prefix) > MAX_PREFIX:
        return f"label key prefix of '{key}' is longer than {MAX_PREFIX} characters"
    if key.startswith(RESERVED_PREFIX):
        return f"label key prefix '{RESERVED_PREFIX}' is reserved"
    return None


def value_problem(value: object) -> str | None:
    """Why ``value`` is not a valid label value, or None."""
    if not isinstance(value, str):
        return "label values must be strings"
    if VALUE_RE.match(value) is None:
        return f"label value '{value}' is not correctly formatted"
    return None


def validate_labels(labels: object, field: str = "labels") -> dict[str, str]:
    """The labels as a dict, or ``invalid_input`` with one message per broken key or value."""
    if not isinstance(labels, dict):
        raise invalid_input(f"invalid input in field '{field}'", {field: ["must be an object"]})
    problems = [p for k, v in labels.items() for p in (key_problem(str(k)), value_problem(v)) if p]
    if problems:
        raise invalid_input(f"invalid input in field '{field}'", {field: problems})
    return {str(k): str(v) for k, v in labels.items()}


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "exists", "!exists", "in", "notin"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values


@dataclass(frozen=True)
class Selector:
    requirements: tuple[Requirement, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)


def _bad_selector(text: str, why: str) -> SimError:
    return invalid_input("label_selector is invalid", {"label_selector": [f"'{text}': {why}"]})


def _split_terms(text: str) -> list[str]:
    terms: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            terms.append(text[start:index])
            start = index + 1
    terms.append(text[start:])
    return [t.strip() for t in terms]


def _parse_term(term: str, text: str) -> Requirement:
    if term.startswith("!"):
        return Requirement(_checked_key(term[1:].strip(), text), "!exists")
    if match := _SET_TERM.match(term):
        values = tuple(v.strip() for v in match.group("values").split(","))
        if not all(values) or any(value_problem(v) for v in values):
            raise _bad_selector(text, f"invalid value list in '{term}'")
        return Requirement(_checked_key(match.group("key"), text), match.group("op"), values)
    if match := _EQ_TERM.match(term):
        value = match.group("value")
        if value_problem(value):
            raise _bad_selector(text, f"invalid value in '{term}'")
        op = "!=" if match.group("op") == "!=" else "="
        return Requirement(_checked_key(match.group("key"), text), op, (value,))
    return Requirement(_checked_key(term, text), "exists")


def _checked_key(key: str, text: str) -> str:
    if not key or KEY_RE.match(key) is None:
        raise _bad_selector(text, f"invalid label key '{key}'")
    return key


def parse_selector(text: str) -> Selector:
    """Parse a selector; the empty string selects everything."""
    if not text.strip():
        return Selector(())
    terms = _split_terms(text)
    if any(not term for term in terms):
        raise _bad_selector(text, "empty requirement")
    return Selector(tuple(_parse_term(term, text) for term in terms))


def labels_of(record: Mapping[str, Any]) -> dict[str, str]:
    labels = record.get("labels")
    return labels if isinstance(labels, dict) else {}
