"""Label keys, values and selectors, tested as plain functions."""

from __future__ import annotations

import pytest

from secapi_hetzner.simulator.errors import SimError
from secapi_hetzner.simulator.labels import key_problem, parse_selector, validate_labels, value_problem


@pytest.mark.parametrize("key", ["a", "A1", "a.b-c_d", "example.com/name", "a" * 63, f"{'a' * 63}.b/c"])
def test_valid_keys(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize(
    "key",
    ["", "-a", "a-", "a" * 64, "Example.com/x", "a/b/c", "/x", "hetzner.cloud/x", f"{'a.' * 127}a/x", "a b"],
)
def test_invalid_keys(key: str) -> None:
    assert key_problem(key) is not None


@pytest.mark.parametrize(
    ("value", "ok"), [("", True), ("v", True), ("a.b_c-d", True), ("-v", False), ("v" * 64, False)]
)
def test_values(value: str, ok: bool) -> None:
    assert (value_problem(value) is None) is ok


def test_validate_labels_lists_every_problem() -> None:
    with pytest.raises(SimError) as raised:
        validate_labels({"-a": "x", "b": "-y", "c": "ok"})

    assert raised.value.code == "invalid_input" and raised.value.status == 422
    assert len(raised.value.details["fields"][0]["messages"]) == 2  # type: ignore[index]
    with pytest.raises(SimError):
        validate_labels(["not", "a", "dict"])


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        ("a=1", {"a": "1"}, True),
        ("a = 1", {"a": "1"}, True),
        ("a==1", {"a": "2"}, False),
        ("a!=1", {}, True),
        ("a!=1", {"a": "1"}, False),
        ("a", {"a": ""}, True),
        ("!a", {"a": ""}, False),
        ("a in (1, 2)", {"a": "2"}, True),
        ("a in (1,2)", {}, False),
        ("a notin (1,2)", {}, True),
        ("a notin (1,2)", {"a": "3"}, True),
        ("a notin (1,2)", {"a": "1"}, False),
        ("example.com/x=y,b", {"example.com/x": "y", "b": "c"}, True),
        ("example.com/x=y,b", {"example.com/x": "y"}, False),
    ],
)
def test_selector_semantics(selector: str, labels: dict[str, str], matches: bool) -> None:
    assert parse_selector(selector).matches(labels) is matches


@pytest.mark.parametrize("selector", ["a=b=c", "a in (b", "a in (,)", "a,", ",a", "a notin", "a==-x", "!"])
def test_malformed_selectors(selector: str) -> None:
    with pytest.raises(SimError) as raised:
        parse_selector(selector)

    assert raised.value.code == "invalid_input"
    assert raised.value.details["fields"][0]["name"] == "label_selector"  # type: ignore[index]
