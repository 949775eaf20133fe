"""Opaque page cursors for lists held in memory (catalog lists). Pure.

The spec caps ``skipToken`` at 5 characters, so the token is the base-36 offset of the next item.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from secapi_hetzner.errors import InvalidRequest

T = TypeVar("T")
MAX_TOKEN = 36**5 - 1
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_offset(offset: int) -> str:
    if offset <= 0 or offset > MAX_TOKEN:
        raise ValueError(offset)
    text = ""
    while offset:
        offset, digit = divmod(offset, 36)
        text = _DIGITS[digit] + text
    return text


def decode_offset(token: str | None) -> int:
    if not token:
        return 0
    if len(token) > 5 or any(ch not in _DIGITS for ch in token):
        raise InvalidRequest(f"Invalid skipToken {token[:16]!r}.", parameter="skipToken")
    return int(token, 36)


def page(items: Sequence[T], limit: int, skip_token: str | None) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token of the next page (None on the last page)."""
    start = decode_offset(skip_token)
    end = start + limit
    next_token = encode_offset(end) if end < len(items) else None
    return list(items[start:end]), next_token
