"""``Resource.with_changes``: a changed copy, the original untouched, unknown fields refused (as
``dataclasses.replace`` does)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest

from secapi_hetzner.store.repository import Key, Resource


def resource() -> Resource:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    return Resource(id=uuid.uuid4(), key=Key("t", "w", "", "instance", "vm"), region="eu-central", api="seca.compute",
                    labels={"a": "b"}, annotations=None, extensions=None, spec={"zone": "fsn1"},
                    status={"state": "active"}, resource_version=3, created_at=now, last_modified_at=now,
                    deleted_at=None, purged_at=None)


def test_a_changed_copy_equals_what_replace_makes_and_leaves_the_original() -> None:
    original = resource()
    changed = original.with_changes(status={"state": "error"}, resource_version=4)
    assert changed == dataclasses.replace(original, status={"state": "error"}, resource_version=4)
    assert original.status == {"state": "active"} and original.resource_version == 3
    assert changed is not original and changed.spec is original.spec  # shallow, as replace is


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError, match="stat"):
        resource().with_changes(stat={})
