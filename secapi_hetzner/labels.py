"""SECA label filters (the ``labels`` query parameter of every list operation). Pure.

Syntax (comma = AND):
    key=value        equals
    key!=value       not equals (also true when the key is absent, as in Kubernetes selectors)
    *ke*=*val*       ``*`` matches any characters, on either side, anywhere in the word
    key>n key<n key>=n key<=n   numeric comparison (labels whose value is not a number do not match)
    ns:key=value     namespaced keys are ordinary keys that contain ``:``
    key  !key        the label is present / absent (as in Kubernetes and Hetzner selectors)
Anything else is refused with 400 naming the term: an empty key or term, a key with spaces, brackets or
operator characters, a value that begins with an operator (``a==b``), a numeric comparison with something
that is not a number (``idx>abc``). Values may hold operator characters after their first (``f=a=b``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from secapi_hetzner import errors

_TERM = re.compile(r"^(?P<key>[^=!<>]*)(?P<op>!=|>=|<=|=|>|<)(?P<value>.*)$", re.S)
_KEY = re.compile(r"[^\s=!<>,()]+")
_VALUE = re.compile(r"(?![=!<>]).*", re.S)  # values may hold operator characters, but not begin with one
NUMERIC = frozenset({">", "<", ">=", "<="})


@dataclass(frozen=True)
class Term:
    key: str
    op: str
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.op == "exists":
            return any(_glob(self.key, k) for k in labels)
        if self.op == "absent":
            return not any(_glob(self.key, k) for k in labels)
        if "*" in self.key:
            keys = [k for k in labels if _glob(self.key, k)]
        else:
            keys = [self.key] if self.key in labels else []
        if self.op == "!=":
            return all(not _value_equals(self.value, labels[k]) for k in keys)
        return any(_compare(self.op, self.value, labels[k]) for k in keys)


def _glob(pattern: str, text: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text, re.S) is not None


def _value_equals(pattern: str, value: str) -> bool:
    return _glob(pattern, value) if "*" in pattern else pattern == value


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(op: str, wanted: str, value: str) -> bool:
    if op == "=":
        return _value_equals(wanted, value)
    left, right = _number(value), _number(wanted)
    if left is None or right is None:
        return False
    return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[op]


@dataclass(frozen=True)
class LabelFilter:
    terms: tuple[Term, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(term.matches(labels) for term in self.terms)


def parse_label_filter(text: str | None) -> LabelFilter:
    """Parse the ``labels`` query parameter; :class:`errors.InvalidRequest` (400) for a malformed one."""
    if not (text or "").strip():
        return LabelFilter(())
    terms = []
    for raw in (text or "").split(","):
        part = raw.strip()
        match = _TERM.match(part)
        if match is None:
            absent = part.startswith("!")
            key = part[1:].strip() if absent else part
            _check(_KEY.fullmatch(key) is not None, part, "a label key")
            terms.append(Term(key, "absent" if absent else "exists", ""))
            continue
        key, op, value = match.group("key").strip(), match.group("op"), match.group("value").strip()
        _check(_KEY.fullmatch(key) is not None, part, "a label key before the operator")
        _check(_VALUE.fullmatch(value) is not None, part, "a value that does not begin with an operator")
        _check(op not in NUMERIC or _number(value) is not None, part, "a number after a comparison")
        terms.append(Term(key, op, value))
    return LabelFilter(tuple(terms))


def _check(ok: bool, term: str, wanted: str) -> None:
    if not ok:
        raise errors.InvalidRequest(f"labels: the term {term[:60]!r} is malformed; it needs {wanted}. Terms are "
                                    "key=value, key!=value, key>n, key<n, key>=n, key<=n, key or !key, joined by "
                                    "commas; * matches any characters.", parameter="labels")
