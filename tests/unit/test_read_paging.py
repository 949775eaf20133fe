"""The pure parts of reading resources: how a page is filled from batches, which resources a deleted mode lists,
and the bounds of the remembered versions."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from secapi_hetzner.resources.registry import KINDS
from secapi_hetzner.services.reads import KnownVersions
from secapi_hetzner.services.resources import PageFill, listed
from secapi_hetzner.store.repository import Key, Resource

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def resource(name: str, *, deleted: bool = False, purged: bool = False) -> Resource:
    return Resource(id=uuid4(), key=Key("t", "", "", "workspace", name), region="", api="seca.workspace",
                    labels=None, annotations=None, extensions=None, spec={}, status={"state": "active"},
                    resource_version=1, created_at=NOW, last_modified_at=NOW, deleted_at=NOW if deleted else None,
                    purged_at=NOW if purged else None)


def test_a_page_ends_when_it_has_one_item_more_than_its_limit() -> None:
    fill: PageFill[str] = PageFill(2)
    assert fill.add(["a", "b", "c"], "c", full=True) is None
    assert fill.result(str) == (["a", "b"], "b")


def test_a_page_reads_on_while_filters_hide_rows() -> None:
    fill: PageFill[str] = PageFill(2)
    assert fill.add(["a"], "c", full=True) == "c"  # three rows read, two hidden: read on after "c"
    assert fill.add(["d"], "f", full=True) == "f"
    assert fill.add(["g"], "g", full=False) is None  # a short batch: the collection ended
    assert fill.result(str) == (["a", "d"], "d")


def test_the_last_page_has_no_next() -> None:
    fill: PageFill[str] = PageFill(5)
    assert fill.add(["a", "b"], "b", full=False) is None
    assert fill.result(str) == (["a", "b"], None)
    empty: PageFill[str] = PageFill(5)
    assert empty.add([], "", full=False) is None
    assert empty.result(str) == ([], None)


def test_a_page_of_exactly_its_limit_is_the_last() -> None:
    fill: PageFill[str] = PageFill(2)
    assert fill.add(["a", "b"], "b", full=False) is None
    assert fill.result(str) == (["a", "b"], None)


@pytest.mark.parametrize(("deleted", "live", "deleting", "purged"), [
    ("exclude", True, False, False), ("include", True, True, True), ("only", False, True, True)])
def test_which_resources_a_deleted_mode_lists(deleted: str, live: bool, deleting: bool, purged: bool) -> None:
    assert listed(resource("a"), deleted) is live
    assert listed(resource("b", deleted=True), deleted) is deleting
    assert listed(resource("c", deleted=True, purged=True), deleted) is purged


def test_remembered_versions_are_bounded_in_entries() -> None:
    known = KnownVersions(capacity=3)
    for i in range(5):
        entry = known.put((f"id-{i}", "1"), resource(f"r{i}"))
        known.add_body(entry, None, b"{}")
    assert len(known) == 3
    assert known.get_many([("id-0", "1"), ("id-4", "1")])[0] is None
    assert known.get_many([("id-4", "1")])[0] is not None


def test_remembered_versions_are_bounded_in_bytes() -> None:
    known = KnownVersions(capacity=100, capacity_bytes=10_000)
    for i in range(10):
        entry = known.put((f"id-{i}", "1"), resource(f"r{i}"))
        known.add_body(entry, None, b"x" * 3_000)
    assert len(known) == 3  # 3 × 3,000 bytes fit in 10,000
    newest = known.get_many([("id-9", "1")])[0]
    assert newest is not None and newest.bodies[None] == b"x" * 3_000


def test_the_least_recently_read_version_goes_first() -> None:
    known = KnownVersions(capacity=2)
    for i in range(2):
        known.add_body(known.put((f"id-{i}", "1"), resource(f"r{i}")), None, b"{}")
    known.get_many([("id-0", "1")])  # id-0 read again: id-1 is now the oldest
    known.add_body(known.put(("id-2", "1"), resource("r2")), None, b"{}")
    assert [found is not None for found in known.get_many([("id-0", "1"), ("id-1", "1"), ("id-2", "1")])] == \
        [True, False, True]



def test_a_kind_reading_targets_names_them_and_only_such_a_kind_does() -> None:
    """The stamp statements digest the live_targets of a "targets" kind: without them its remembered answers
    would never see a target appear."""
    for kind in KINDS.values():
        assert (kind.live_reads == "targets") == bool(kind.live_targets), kind.kind
