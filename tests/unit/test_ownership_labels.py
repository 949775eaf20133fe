"""Ownership label values on Hetzner objects."""

import pytest

from secapi_hetzner.engine.context import label_value


@pytest.mark.parametrize(("name", "value"), [
    ("web-1", "web-1"), ("a.b.c", "a.b.c"), ("-x-", "x"), ("x" * 128, "x" * 63), ("ünï code", "n-code"),
])
def test_label_values_are_hetzner_safe(name: str, value: str) -> None:
    assert label_value(name) == value
