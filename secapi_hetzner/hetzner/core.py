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
from typing import TypeVar

from hcloud import Client

R = TypeVar("R")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class GatewayCore:
    """The part of :class:`~secapi_hetzner.hetzner.gateway.Gateway` the mixins rely on."""

    _client: Client

    def _call(self, name: str, fn: Callable[[], R]) -> R:
        raise NotImplementedError  # Gateway._call: budget, counter, error translation


def created_at(value: datetime | None) -> datetime:
    """Hetzner always sends ``created``; a missing one reads as the epoch rather than failing the call."""
    return value if value is not None else EPOCH
