"""The whole-page memo of services/reads.py: an answer only for the very stamps it was made from, bounded by
the entries and bytes it holds."""

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


def test_the_least_recently_used_pages_go_first_past_the_entry_bound() -> None:
    pages = WholePages(capacity_items=12)  # a page of two items weighs 1 + 2 stamps + 2 items
    for n in range(3):
        pages.put(("t", f"scope-{n}", 50), stamps("1", "1"), [b"x", b"y"])
    assert pages.get(("t", "scope-0", 50), stamps("1", "1")) is None  # 15 > 12: the oldest went
    assert pages.get(("t", "scope-2", 50), stamps("1", "1")) == [b"x", b"y"]
    pages.put(("t", "big", 50), stamps(*"1234567"), [b"z"] * 7)  # more than the bound alone: not kept
    assert pages.get(("t", "big", 50), stamps(*"1234567")) is None
    assert pages.get(("t", "scope-1", 50), stamps("1", "1")) == [b"x", b"y"]
    pages.put(("t", "scope-1", 50), stamps("2", "2"), [b"p", b"q"])  # replaced, not counted twice
    assert pages.get(("t", "scope-2", 50), stamps("1", "1")) == [b"x", b"y"]


def test_pages_with_nothing_to_show_are_bounded_too() -> None:
    """A client asking with ever new label filters that match nothing: each answer is empty, but each key
    and its stamps stay; they count."""
    pages = WholePages(capacity_items=100)
    for n in range(1000):
        pages.put(("t", f"workspace|||exclude|no-such={n}", 50), stamps(*"12345"), [])
    assert len(pages) <= 100 // 6
    assert pages.get(("t", "workspace|||exclude|no-such=999", 50), stamps(*"12345")) == []


def test_pages_are_bounded_by_their_bytes_too() -> None:
    pages = WholePages(capacity_bytes=30)
    pages.put(("t", "a", 50), stamps("1"), [b"x" * 14])
    pages.put(("t", "b", 50), stamps("1"), [b"x" * 15])  # 15 + 1 + 14 + 1 > 30: "a" goes
    assert pages.get(("t", "a", 50), stamps("1")) is None
    assert pages.get(("t", "b", 50), stamps("1")) == [b"x" * 15]
    pages.put(("t", "c", 50), stamps("1"), [b"x" * 30])  # more than the bound alone: not kept
    assert pages.get(("t", "c", 50), stamps("1")) is None
    assert pages.get(("t", "b", 50), stamps("1")) == [b"x" * 15]
