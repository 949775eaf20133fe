"""The catalog cache: one snapshot of Hetzner's locations, server types and system images.

The first read loads synchronously; afterwards a read of a stale snapshot returns it at once and
starts one background refresh. A failed refresh keeps the old snapshot (and is retried on the next
read after ``RETRY_AFTER_FAILURE`` seconds), so a Hetzner hiccup never empties the catalog.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from secapi_hetzner import errors, metrics
from secapi_hetzner.hetzner import Gateway, HetznerError, HImage, HLocation, HServerType

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = 10.0


@dataclass(frozen=True)
class CatalogSnapshot:
    locations: tuple[HLocation, ...]
    server_types: tuple[HServerType, ...]
    images: tuple[HImage, ...]
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class CatalogCache:
    def __init__(self, gateway: Gateway, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._gateway = gateway
        self._ttl = ttl
        self._clock = clock
        self._snapshot: CatalogSnapshot | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()
        self._first_load = threading.Lock()  # one thread loads a cold cache; the others wait for it
        self._refreshing = False
        self.refreshes = 0

    @property
    def refreshing(self) -> bool:
        """A background refresh is under way."""
        with self._lock:
            return self._refreshing

    def _fetch(self) -> CatalogSnapshot:
        return CatalogSnapshot(
            locations=tuple(self._gateway.list_locations()),
            server_types=tuple(self._gateway.list_server_types()),
            images=tuple(self._gateway.list_system_images()),
        )

    def _store(self, snapshot: CatalogSnapshot) -> None:
        with self._lock:
            self._snapshot = snapshot
            self._loaded_at = self._clock()
            self.refreshes += 1
        metrics.catalog_fetched()

    def refresh(self) -> CatalogSnapshot:
        """Load a fresh snapshot now (raises :class:`errors.Unavailable` if Hetzner fails)."""
        try:
            snapshot = self._fetch()
        except HetznerError as exc:
            raise errors.Unavailable(f"The Hetzner catalog cannot be read right now ({exc.code}).") from exc
        self._store(snapshot)
        return snapshot

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except errors.Unavailable as exc:
            log.warning("catalog refresh failed: %s", exc.detail)
            with self._lock:  # try again a little later, not on every read
                self._loaded_at = self._clock() - self._ttl + RETRY_AFTER_FAILURE
        finally:
            with self._lock:
                self._refreshing = False

    def get(self) -> CatalogSnapshot:
        snapshot = self.peek()
        if snapshot is None:
            with self._first_load:
                return self._snapshot or self.refresh()
        return snapshot

    def peek(self) -> CatalogSnapshot | None:
        """The snapshot, never waiting on Hetzner: None before the first load (which :meth:`get` does); a
        stale one starts its background refresh, as :meth:`get` does."""
        with self._lock:
            snapshot, stale = self._snapshot, self._clock() - self._loaded_at >= self._ttl
            start = snapshot is not None and stale and not self._refreshing
            if start:
                self._refreshing = True
        if start:
            threading.Thread(target=self._refresh_in_background, name="catalog-refresh", daemon=True).start()
        return snapshot
