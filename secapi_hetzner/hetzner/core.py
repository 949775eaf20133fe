"""What the per-resource gateway mixins share: the typed surface of :class:`Gateway` they build on.

Each mixin (``actions.py``, ``servers.py``, ``volumes.py`` …) adds hcloud-vocabulary methods that go
through :meth:`GatewayCore._call` and return the frozen models of ``models.py``. Conversions read
``Bound*.data_model`` (plain attributes). Of the nested objects hcloud builds incomplete (a server's
volumes, a volume's server, an image's ``created_from``) they read only the id: a bound object's
``__getattr__`` reloads it from Hetzner when an attribute is falsy, which would spend budget
invisibly, and an id never is. The tests pin one HTTP request per gateway call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from hcloud import Client
from hcloud.core import Meta

R = TypeVar("R")
B = TypeVar("B")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PER_PAGE = 50  # Hetzner's maximum page size


class GatewayCore:
    """The part of :class:`~secapi_hetzner.hetzner.gateway.Gateway` the mixins rely on."""

    _client: Client

    def _call(self, name: str, fn: Callable[[], R]) -> R:
        raise NotImplementedError  # Gateway._call: budget, counter, error translation

    def _pages(self, name: str, list_page: Callable[[int, int], tuple[list[B], Meta | None]]) -> list[B]:
        """Every page of a list, one :meth:`_call` per page, so budget and counter see every request.

        (hcloud's ``get_all`` would fetch all pages inside a single ``_call``.) ``list_page`` is
        called as ``list_page(page, per_page)``.
        """
        items: list[B] = []
        page = 1
        while page:
            found, meta = self._call(name, partial(list_page, page, PER_PAGE))
            items.extend(found)
            page = meta.pagination.next_page or 0 if meta is not None and meta.pagination is not None else 0
        return items


def created_at(value: datetime | None) -> datetime:
    """Hetzner always sends ``created``; a missing one reads as the epoch rather than failing the call."""
    return value if value is not None else EPOCH
