"""The simulator's state on disk, so that restarting ``make run`` is seamless: the database remembers
the service's resources, and the simulator remembers the Hetzner objects behind them.

What is kept: every project's objects and actions, and the id and address counters (ids never repeat
across restarts). Not kept: faults, request counters, the rate limit and the action pace (test controls).
An action still running when the simulator stops is finished first, as Hetzner would have finished it
while the simulator was away (its effects land, it is dated when it was due), and guests still shutting
down power off: a snapshot holds no half-done work. Written atomically (a temporary file, then a
rename), readable by the owner only.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from .model import Action, Project
from .state import SimState

log = logging.getLogger(__name__)
VERSION = 1


def settle_everything(state: SimState) -> None:
    """Finish every running action (its effects included) and every guest shutdown under way."""
    with state.lock:
        for project in state.projects.values():
            for action in sorted(project.running.values(), key=lambda a: a.id):
                due = action.started + state.shared.policy.duration(action.command)
                project.finish(action, action.doom, at=max(due, action.started))
            for _, effect in sorted(project.guest_timers.values(), key=lambda timer: timer[0]):
                effect()
            project.guest_timers.clear()


def is_idle(state: SimState) -> bool:
    """No action running and no guest shutting down: a snapshot now needs no settling."""
    with state.lock:
        return not any(project.running or project.guest_timers for project in state.projects.values())


def snapshot(state: SimState) -> dict[str, Any]:
    with state.lock:
        return {
            "version": VERSION,
            "counters": dict(state.shared.counters),
            "projects": {
                token: {
                    "stores": {kind: list(store.values()) for kind, store in project.stores.items()},
                    "actions": [_action(action) for action in project.actions.values()],
                }
                for token, project in state.projects.items()
            },
        }


def _action(action: Action) -> dict[str, Any]:
    return {"id": action.id, "command": action.command, "resources": [list(r) for r in action.resources],
            "started": action.started, "status": action.status, "finished": action.finished,
            "error": action.error}


def restore(state: SimState, data: dict[str, Any]) -> None:
    if data.get("version") != VERSION:
        raise ValueError(f"simulator state of version {data.get('version')!r}; this simulator reads {VERSION}")
    with state.lock:
        state.shared.counters.update({str(k): int(v) for k, v in data["counters"].items()})
        state.projects.clear()
        for token, saved in data["projects"].items():
            project = Project(token, state.shared)
            for kind, records in saved["stores"].items():
                if kind in project.stores:
                    project.stores[kind] = {int(record["id"]): record for record in records}
            for entry in saved["actions"]:
                project.actions[int(entry["id"])] = Action(
                    id=int(entry["id"]), command=str(entry["command"]),
                    resources=[(str(kind), int(ident)) for kind, ident in entry["resources"]],
                    started=float(entry["started"]), seq=0, status=str(entry["status"]),
                    finished=entry["finished"], error=entry["error"])
            state.projects[token] = project


def save(state: SimState, path: Path, *, settle: bool = True, unless: str | None = None) -> str:
    """Write the state to ``path`` atomically (mode 0600), after settling it (when the simulator stops);
    nothing is written when it is ``unless`` (what an earlier call returned). Returns what it holds."""
    if settle:
        settle_everything(state)
    data = json.dumps(snapshot(state))
    if data == unless:
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".simulator-", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return data


def load(state: SimState, path: Path) -> bool:
    """Restore the state saved at ``path``; False when there is none (or it cannot be read: then the
    simulator starts empty and says so, rather than refusing to start)."""
    if not path.exists():
        return False
    try:
        restore(state, json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("simulator state in %s not restored (%s); starting empty", path, exc)
        return False
    return True
