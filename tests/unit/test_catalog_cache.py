"""The catalog cache: one load for concurrent cold readers, stale-while-refresh, failures keep data."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from secapi_hetzner import errors
from secapi_hetzner.hetzner import HetznerTransient, HLocation
from secapi_hetzner.resources.catalog.cache import CatalogCache


class FakeGateway:
    """Stands in for the gateway at its own boundary (frozen models out), counting calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.delay = 0.0

    def list_locations(self) -> list[HLocation]:
        self.calls += 1
        time.sleep(self.delay)
        if self.fail:
            raise HetznerTransient("unavailable", "down")
        return [HLocation(1, "fsn1", "", "DE", "", "eu-central")]

    def list_server_types(self) -> list[Any]:
        self.calls += 1
        return []

    def list_system_images(self) -> list[Any]:
        self.calls += 1
        return []


def test_concurrent_cold_readers_load_once() -> None:
    gateway = FakeGateway()
    gateway.delay = 0.05
    cache = CatalogCache(gateway, ttl=60)  # type: ignore[arg-type]
    threads = [threading.Thread(target=cache.get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gateway.calls == 3


def test_warm_reads_cost_nothing_and_stale_reads_refresh_in_background() -> None:
    now = [0.0]
    gateway = FakeGateway()
    cache = CatalogCache(gateway, ttl=10, clock=lambda: now[0])  # type: ignore[arg-type]
    first = cache.get()
    for _ in range(100):
        assert cache.get() is first
    assert gateway.calls == 3
    now[0] = 11.0
    assert cache.get() is first  # stale data is served at once...
    deadline = time.monotonic() + 5
    while cache.refreshes < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.refreshes == 2 and gateway.calls == 6  # ...while one refresh runs


def test_failed_refresh_keeps_the_old_snapshot() -> None:
    now = [0.0]
    gateway = FakeGateway()
    cache = CatalogCache(gateway, ttl=10, clock=lambda: now[0])  # type: ignore[arg-type]
    first = cache.get()
    gateway.fail = True
    now[0] = 11.0
    assert cache.get() is first
    time.sleep(0.1)
    assert cache.get() is first


def test_cold_cache_with_hetzner_down_is_unavailable() -> None:
    gateway = FakeGateway()
    gateway.fail = True
    with pytest.raises(errors.Unavailable):
        CatalogCache(gateway, ttl=10).get()  # type: ignore[arg-type]
