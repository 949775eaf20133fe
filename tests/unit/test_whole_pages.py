"""The whole-page memo of services/reads.py: an answer only for the very stamps it was made from, bounded by
the items it holds."""

from __future__ import annotations

from secapi_hetzner.services.reads import WholePages, _Stamp


def stamps(*versions: str) -> list[_Stamp]:
    return [_Stamp(f"id-{i}", f"name-{i}", version, None, None) for i, version in enumerate(versions)]


def test_an_answer_is_given_only_for_the_stamps_it_was_made_from() -> None:
    pages = WholePages()
    key = ("acme", "workspace|||exclude|", 50)
    pages.put(key, stamps("1", "1"), [b"a", b"b"])
    assert pages.get(key, stamps("1", "1")) == [b"a", b"b"]
    assert pages.get(key, stamps("1", "2")) is None  # one item written since
    assert pages.get(key, stamps("1")) is None  # one item gone
    assert pages.get(("other", "workspace|||exclude|", 50), stamps("1", "1")) is None
    assert pages.get((key[0], key[1], 10), stamps("1", "1")) is None  # another limit
    assert pages.hits == 1


def test_the_least_recently_used_pages_go_first_past_the_item_bound() -> None:
    pages = WholePages(capacity_items=5)
    for n in range(3):
        pages.put(("t", f"scope-{n}", 50), stamps("1", "1"), [b"x", b"y"])
    assert pages.get(("t", "scope-0", 50), stamps("1", "1")) is None  # 6 items > 5: the oldest went
    assert pages.get(("t", "scope-2", 50), stamps("1", "1")) == [b"x", b"y"]
    pages.put(("t", "big", 50), stamps(*"123456"), [b"z"] * 6)  # more than the bound alone: not kept
    assert pages.get(("t", "big", 50), stamps(*"123456")) is None
    assert pages.get(("t", "scope-1", 50), stamps("1", "1")) == [b"x", b"y"]
    pages.put(("t", "scope-1", 50), stamps("2", "2"), [b"p", b"q"])  # replaced, not counted twice
    assert pages.get(("t", "scope-2", 50), stamps("1", "1")) == [b"x", b"y"]


def test_pages_are_bounded_by_their_bytes_too() -> None:
    pages = WholePages(capacity_bytes=10)
    pages.put(("t", "a", 50), stamps("1"), [b"12345"])
    pages.put(("t", "b", 50), stamps("1"), [b"1234567"])  # 12 bytes > 10: "a" goes
    assert pages.get(("t", "a", 50), stamps("1")) is None
    assert pages.get(("t", "b", 50), stamps("1")) == [b"1234567"]
    pages.put(("t", "c", 50), stamps("1"), [b"x" * 11])  # more than the bound alone: not kept
    assert pages.get(("t", "c", 50), stamps("1")) is None
    assert pages.get(("t", "b", 50), stamps("1")) == [b"1234567"]
