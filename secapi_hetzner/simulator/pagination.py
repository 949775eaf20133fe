"""Hetzner pagination: ``page``/``per_page`` parameters, ``meta.pagination`` and the ``Link`` header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

from .errors import invalid_field

DEFAULT_PER_PAGE: Final = 25
MAX_PER_PAGE: Final = 50
T = TypeVar("T")


def _positive(query: Mapping[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    raw = values[-1]
    if not raw.isdigit() or int(raw) < 1:
        raise invalid_field(name, "must be a positive integer")
    return int(raw)


def page_params(query: Mapping[str, list[str]]) -> tuple[int, int]:
    """(page, per_page); per_page is capped at 50 like the real API does."""
    page = _positive(query, "page", 1)
    per_page = min(_positive(query, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return page, per_page


def paginate(items: Sequence[T], page: int, per_page: int) -> tuple[list[T], dict[str, Any]]:
    total = len(items)
    last = max(1, -(-total // per_page))
    meta = {
        "page": page,
        "per_page": per_page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < last else None,
        "last_page": last,
        "total_entries": total,
    }
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), meta


def link_header(base_url: str, query: Sequence[tuple[str, str]], pagination: Mapping[str, Any]) -> str | None:
    """``<url?page=N>; rel="prev"``, ``next`` and ``last`` links, keeping the other query parameters."""
    links = []
    for rel, key in (("prev", "previous_page"), ("next", "next_page"), ("last", "last_page")):
        page = pagination.get(key)
        if page is None:
            continue
        kept = [(k, v) for k, v in query if k != "page"]
        kept.append(("page", str(page)))
        links.append(f'<{base_url}?{urlencode(kept)}>; rel="{rel}"')
    return ", ".join(links) or None
