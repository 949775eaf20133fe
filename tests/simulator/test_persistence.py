"""The simulator keeps its state across restarts when given a state file (``make run`` does): Hetzner
objects, actions and ids survive; an action running at the stop is finished as Hetzner would have
finished it meanwhile; the file is readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import hcloud
from hcloud.images import Image
from hcloud.server_types import ServerType

from secapi_hetzner.simulator import SimState, persistence
from secapi_hetzner.simulator_process import start_simulator

TOKEN = "persisted-project"


def _client(url: str) -> hcloud.Client:
    return hcloud.Client(token=TOKEN, api_endpoint=url, timeout=5, poll_interval=0.05)


def test_a_saved_state_is_restored_with_running_work_finished(tmp_path: Path) -> None:
    state = SimState()
    state.set_action_timing(30.0)  # the create would run long after the stop
    project = state.begin_request(TOKEN)
    server = project.insert("server", {"name": "kept", "status": "initializing", "labels": {"a": "b"}})
    action = project.start_action("create_server", [("server", server["id"])],
                                  on_success=[project.setter("server", server["id"], status="off")])
    path = tmp_path / "state.json"
    persistence.save(state, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again = SimState()
    assert persistence.load(again, path)
    restored = again.projects[TOKEN]
    assert restored.stores["server"][server["id"]]["status"] == "off"  # the create's effect landed
    finished = restored.actions[action.id]
    assert finished.status == "success" and finished.finished == action.started + 30.0  # dated when due
    assert again.shared.next_id("server") > server["id"]  # ids never repeat


def test_a_missing_or_broken_file_starts_empty(tmp_path: Path) -> None:
    assert not persistence.load(SimState(), tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    state = SimState()
    assert not persistence.load(state, broken) and state.projects == {}


def test_a_restarted_simulator_process_has_the_objects_of_the_last_run(tmp_path: Path) -> None:
    path = tmp_path / "simulator-state.json"
    first = start_simulator(state_file=path)
    try:
        created = _client(first.url).servers.create(
            "survivor", server_type=ServerType(name="cx23"), image=Image(name="ubuntu-24.04"))
        created.action.wait_until_finished()
    finally:
        first.stop()
    second = start_simulator(state_file=path)
    try:
        client = _client(second.url)
        survivor = client.servers.get_by_name("survivor")
        assert survivor is not None and survivor.id == created.server.id
        assert client.actions.get_by_id(created.action.id).status == "success"
        newer = client.servers.create("newer", server_type=ServerType(name="cx23"), image=Image(name="ubuntu-24.04"))
        assert newer.server.id > created.server.id
    finally:
        second.stop()


def test_an_unchanged_state_is_not_written_again(tmp_path: Path) -> None:
    state = SimState()
    state.begin_request(TOKEN).insert("placement_group", {"name": "g", "type": "spread", "labels": {}})
    path = tmp_path / "state.json"
    written = persistence.save(state, path, settle=False)
    inode = path.stat().st_ino
    assert persistence.save(state, path, settle=False, unless=written) == written
    assert path.stat().st_ino == inode  # not replaced: nothing changed
    state.begin_request(TOKEN).insert("placement_group", {"name": "h", "type": "spread", "labels": {}})
    assert persistence.save(state, path, settle=False, unless=written) != written
    assert path.stat().st_ino != inode  # a change is written (atomically: a new file)
