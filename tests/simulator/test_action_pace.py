"""Actions that take time, per command, and report when they really ended (issue 7: the simulator tells the
truth): an engine that learns Hetzner's pace from ``finished − started`` must not learn the read time."""

from __future__ import annotations

import time
from datetime import datetime

import hcloud
import httpx
from hcloud.images import Image
from hcloud.server_types import ServerType

from secapi_hetzner.simulator import RunningSimulator, SimState


def test_each_command_takes_its_own_time_and_finished_is_when_it_ended(state: SimState,
                                                                      client: hcloud.Client) -> None:
    state.set_action_timing(0.0, commands={"create_server": 1.0})
    created = client.servers.create("paced", server_type=ServerType(name="cx23"), image=Image(name="ubuntu-24.04"))
    action = client.actions.get_by_id(created.action.id)
    assert action.status == "running"  # a create takes its second
    time.sleep(1.6)  # read well after it ended
    done = client.actions.get_by_id(created.action.id)
    assert done.status == "success"
    assert isinstance(done.started, datetime) and isinstance(done.finished, datetime)
    assert (done.finished - done.started).total_seconds() == 1.0  # not the 1.6 s until it was read
    server = client.servers.get_by_id(created.server.id)
    assert server.status in ("off", "running")  # its effect landed with the end of the action


def test_the_pace_is_set_over_http_and_reset_forgets_it(sim: RunningSimulator, state: SimState) -> None:
    control = sim.url.removesuffix("/v1") + "/_sim/actions/timing"
    answer = httpx.put(control, json={"seconds": 0.5, "commands": {"create_server": 3}}).json()
    assert answer == {"seconds": 0.5, "manual": False, "commands": {"create_server": 3.0}, "guest_shutdown": 0.0}
    assert state.shared.policy.duration("create_server") == 3.0 and state.shared.policy.duration("x") == 0.5
    assert httpx.put(control, json={"commands": {"create_server": -1}}).status_code >= 400
    state.reset()
    assert state.shared.policy.duration("create_server") == 0.0
