import pytest

from secapi_hetzner.errors import InvalidRequest
from secapi_hetzner.paging import decode_offset, encode_offset, page
from secapi_hetzner.store import repository


def test_pages_cover_every_item_once() -> None:
    items = list(range(23))
    seen, token = [], None
    while True:
        chunk, token = page(items, 5, token)
        seen += chunk
        if token is None:
            break
        assert len(token) <= 5  # the spec caps skipToken at 5 characters
    assert seen == items


def test_last_page_has_no_token() -> None:
    assert page([1, 2], 2, None) == ([1, 2], None)


def test_token_round_trip_at_the_cap() -> None:
    assert decode_offset(encode_offset(36**5 - 1)) == 36**5 - 1


@pytest.mark.parametrize("token", ["ABC", "toolong", "-1", "a b"])
def test_bad_tokens_are_invalid_requests(token: str) -> None:
    with pytest.raises(InvalidRequest):
        decode_offset(token)


def test_expired_cursors_are_deleted_at_most_once_a_minute_per_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repository, "_cursors_expired", {})
    due = repository.cursor_expiry_due
    assert due("db-a", now=100.0)
    assert not due("db-a", now=100.0 + repository.CURSOR_EXPIRY_EVERY - 0.1)
    assert due("db-b", now=101.0)  # another database keeps its own minute
    assert due("db-a", now=100.0 + repository.CURSOR_EXPIRY_EVERY)
    assert not due("db-a", now=100.0 + repository.CURSOR_EXPIRY_EVERY + 1)
