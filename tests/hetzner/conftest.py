"""The gateway, driving the real hcloud client against the project's simulator on loopback.

After every test the gateway's call counter must equal the HTTP requests the simulator saw for the
project: no hidden reloads, no hidden retries.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterator

import pytest

from secapi_hetzner.hetzner import Gateway, HAction, HServer
from secapi_hetzner.simulator import RunningSimulator

TOKEN = "gateway-tests"
SYSTEM_IMAGE = "ubuntu-24.04"
POLLS = 20


@pytest.fixture
def simulator(simulator_session: RunningSimulator) -> RunningSimulator:
    """These tests pin what each gateway call sends and returns, one call at a time: the simulator
    finishes an action on the next read here (the suites that drive the service run at Hetzner's pace)."""
    simulator_session.state.reset()
    simulator_session.state.set_action_timing(0.0)
    return simulator_session


@pytest.fixture
def gateway(simulator: RunningSimulator) -> Iterator[Gateway]:
    gw = Gateway(TOKEN, endpoint=simulator.url, timeout=5, requests_per_hour=100_000)
    yield gw
    assert gw.counter.total == http_requests(simulator), "a gateway call made a hidden HTTP request"


def http_requests(sim: RunningSimulator) -> int:
    return int(sim.state.request_counts(TOKEN)["total"])


def wait(gateway: Gateway, action: HAction | None) -> HAction:
    """Poll ``get_action`` until the action has finished (the simulator settles it on the next read)."""
    assert action is not None
    for _ in range(POLLS):
        action = gateway.get_action(action.id)
        if not action.running:
            return action
    raise AssertionError(f"action {action.id} still running after {POLLS} polls")


def make_server(gateway: Gateway, name: str = "web-1", *, labels: dict[str, str] | None = None,
                image: str | int = SYSTEM_IMAGE, volume_ids: tuple[int, ...] = (),
                placement_group_id: int | None = None, ssh_key_ids: tuple[int, ...] = (),
                start_after_create: bool = False) -> HServer:
    """A created server, its create action finished, read back once."""
    server, action = gateway.create_server(
        name=name, server_type="cx23", image=image, location="fsn1",
        labels={"secapi.cloud/id": name} if labels is None else labels, volume_ids=volume_ids,
        placement_group_id=placement_group_id, ssh_key_ids=ssh_key_ids, start_after_create=start_after_create,
    )
    assert wait(gateway, action).succeeded
    return gateway.get_server(server.id)


def public_key(seed: str) -> str:
    """A well-formed ssh-ed25519 public key derived from ``seed``."""
    kind = b"ssh-ed25519"
    key = hashlib.sha256(seed.encode()).digest()
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(key)) + key
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {seed}@example"


def md5_fingerprint(key: str) -> str:
    digest = hashlib.md5(base64.b64decode(key.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))
