"""What the catalog costs in Hetzner calls, and how it behaves when Hetzner fails (simulator faults)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from secapi_hetzner.app import create_app
from secapi_hetzner.app.factory import SIMULATOR_TOKEN
from secapi_hetzner.app.services import current
from secapi_hetzner.hetzner import HetznerTransient
from secapi_hetzner.resources.catalog import CatalogCache
from secapi_hetzner.simulator import RunningSimulator
from secapi_hetzner.store import Database
from tests.conftest import OWN_SPEC, TENANT, admin_token, make_settings
from tests.support.database import DatabaseFactory
from tests.support.servers import serve_in_thread

SKUS = f"/providers/seca.compute/v1/tenants/{TENANT}/skus"


@pytest.fixture
def catalog_ttl() -> float:
    return 300.0


@pytest.fixture
def fresh_service(databases: DatabaseFactory, simulator: RunningSimulator,
                  catalog_ttl: float) -> Iterator[httpx.Client]:
    """A service with a cold catalog cache (function-scoped, unlike the shared `service`)."""
    url = databases.fresh()
    db = Database(url, max_size=2)
    app = create_app(make_settings(OWN_SPEC, url, simulator, catalog_ttl=catalog_ttl), db=db)
    token = admin_token()
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=20,
                                                    headers={"Authorization": f"Bearer {token}"}) as client:
        yield client
    db.close()


def operator_calls(simulator: RunningSimulator) -> int:
    return int(simulator.state.request_counts(SIMULATOR_TOKEN)["total"])


def test_warm_catalog_reads_cost_zero_hetzner_calls(fresh_service: httpx.Client,
                                                    simulator: RunningSimulator) -> None:
    assert fresh_service.get(SKUS).status_code == 200
    cold = operator_calls(simulator)
    assert cold >= 3  # locations, server types, images
    for path in (SKUS, "/providers/seca.region/v1/regions", "/providers/seca.region/v1/regions/eu-central",
                 f"/providers/seca.storage/v1/tenants/{TENANT}/images",
                 f"/providers/seca.storage/v1/tenants/{TENANT}/skus",
                 f"/providers/seca.network/v1/tenants/{TENANT}/skus"):
        for _ in range(5):
            assert fresh_service.get(path).status_code == 200
    assert operator_calls(simulator) == cold


@pytest.mark.parametrize("catalog_ttl", [0.0])
def test_stale_catalog_is_served_through_a_hetzner_outage(fresh_service: httpx.Client,
                                                         simulator: RunningSimulator) -> None:
    before = fresh_service.get(SKUS).json()
    cache = current().catalog.cache
    simulator.state.inject_fault("", status=503, times=1000)
    settle(cache)  # a refresh started before the outage may still land
    refreshed = cache.refreshes
    for _ in range(5):  # every read finds the snapshot stale (TTL 0) and may try a refresh, which fails
        assert fresh_service.get(SKUS).json() == before
    settle(cache)
    assert cache.refreshes == refreshed  # nothing was replaced by a failed refresh
    simulator.state.clear_faults()


def settle(cache: CatalogCache) -> None:
    deadline = time.monotonic() + 10
    while cache.refreshing and time.monotonic() < deadline:
        time.sleep(0.01)


def test_cold_catalog_with_hetzner_down_is_a_503_problem(fresh_service: httpx.Client,
                                                         simulator: RunningSimulator) -> None:
    simulator.state.inject_fault("", status=503, times=1000)
    response = fresh_service.get(SKUS)
    simulator.state.clear_faults()
    assert response.status_code == 503
    assert response.json()["type"] == "http://secapi.cloud/errors/internal-server-error"
    assert "Hetzner catalog cannot be read" in response.json()["detail"]
    assert fresh_service.get(SKUS).status_code == 200  # and it recovers on the next read


def test_gateway_does_not_retry_inside_hcloud(fresh_service: httpx.Client, simulator: RunningSimulator) -> None:
    gateway = current().catalog_gateway
    before = operator_calls(simulator)
    simulator.state.inject_fault("^/locations", status=429, times=1)
    with pytest.raises(HetznerTransient) as info:
        gateway.list_locations()
    assert info.value.code == "rate_limit_exceeded"
    assert operator_calls(simulator) == before + 1  # one request, no hidden retries with sleeps
