"""Fixtures: one simulator on loopback for the session, reset before each test, and clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import hcloud
import httpx
import pytest
from hcloud._client import constant_backoff_function

from secapi_hetzner.simulator import RunningSimulator, SimState, serve_in_thread

TOKEN = "project-alpha"
OTHER_TOKEN = "project-beta"


@pytest.fixture(scope="session")
def sim_session() -> Iterator[RunningSimulator]:
    with serve_in_thread() as sim:
        yield sim


@pytest.fixture
def sim(sim_session: RunningSimulator) -> RunningSimulator:
    sim_session.state.reset()
    return sim_session


@pytest.fixture
def state(sim: RunningSimulator) -> SimState:
    return sim.state


def make_client(sim: RunningSimulator, token: str = TOKEN, timeout: float = 5) -> hcloud.Client:
    """The real hcloud client, polling fast and retrying without sleeping."""
    client = hcloud.Client(
        token=token, api_endpoint=sim.url, poll_interval=0.01, poll_max_retries=200, timeout=timeout
    )
    client._client._retry_interval_func = constant_backoff_function(0)  # private, as hcloud's own tests do
    return client


@pytest.fixture
def client(sim: RunningSimulator) -> hcloud.Client:
    return make_client(sim)


@pytest.fixture
def other_client(sim: RunningSimulator) -> hcloud.Client:
    return make_client(sim, OTHER_TOKEN)


@pytest.fixture
def api(sim: RunningSimulator) -> Iterator[httpx.Client]:
    """Plain HTTP against ``/v1`` as project alpha."""
    with httpx.Client(base_url=sim.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5) as http:
        yield http


@pytest.fixture
def control(sim: RunningSimulator) -> Iterator[httpx.Client]:
    """Plain HTTP against ``/_sim``."""
    with httpx.Client(base_url=f"{sim.base_url}/_sim", timeout=5) as http:
        yield http
