"""The in-memory model: per-project object stores, actions and the things all projects share.

Objects are stored as plain dicts close to their API shape; relations are stored on one side only
(a server holds its placement group and networks, a volume holds its server, a primary IP its
assignee) and the other side is computed when rendering, so deleting an object cannot leave a
dangling back-reference.

Actions start ``running``. Unless actions are in manual mode, a running action settles at the
start of a later request of its project once its duration (per command, else ``action_seconds``)
has passed since it started: with the default of 0 a client sees ``running`` in the answer that
created it and ``success`` on its next read. Settling runs the action's callbacks, which apply the
final resource states, and dates ``finished`` when the action really ended (its start plus its
duration), not when it was next read, as Hetzner would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from .errors import locked, not_found, uniqueness_error

Record = dict[str, Any]
Callback = Callable[[], None]

ID_BASES: Final[dict[str, int]] = {
    "server": 50_000_000,
    "volume": 100_000_000,
    "ssh_key": 20_000_000,
    "image": 400_000_000,
    "placement_group": 400_000,
    "network": 10_000_000,
    "firewall": 1_500_000,
    "primary_ip": 80_000_000,
    "floating_ip": 60_000_000,
    "action": 500_000_000,
}


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")


@dataclass
class Doom:
    """An instruction to let the next ``remaining`` actions of ``command`` end in error."""

    command: str
    code: str
    message: str
    remaining: int


@dataclass
class ActionPolicy:
    seconds: float = 0.0
    manual: bool = False
    dooms: list[Doom] = field(default_factory=list)
    #: per-command durations (``create_server`` …); commands not named take ``seconds``
    durations: dict[str, float] = field(default_factory=dict)
    #: how long a guest takes to power off after the ACPI signal of a shutdown (None: it ignores it)
    guest_shutdown: float | None = 0.0

    def duration(self, command: str) -> float:
        return self.durations.get(command, self.seconds)

    def take_doom(self, command: str) -> tuple[str, str] | None:
        for doom in self.dooms:
            if doom.command == command and doom.remaining > 0:
                doom.remaining -= 1
                if doom.remaining == 0:
                    self.dooms.remove(doom)
                return doom.code, doom.message
        return None


@dataclass
class Action:
    id: int
    command: str
    resources: list[tuple[str, int]]
    started: float
    seq: int
    status: str = "running"
    finished: float | None = None
    error: dict[str, str] | None = None
    doom: tuple[str, str] | None = None
    on_success: list[Callback] = field(default_factory=list)
    on_error: list[Callback] = field(default_factory=list)

    def touches(self, kind: str, ident: int) -> bool:
        return (kind, ident) in self.resources

    def to_api(self, now: float, seconds: float) -> Record:
        progress = 100 if self.status != "running" else 0
        if self.status == "running" and seconds > 0:
            progress = min(99, int(100 * (now - self.started) / seconds))
        return {
            "id": self.id,
            "command": self.command,
            "status": self.status,
            "progress": progress,
            "started": iso(self.started),
            "finished": None if self.finished is None else iso(self.finished),
            "resources": [{"id": ident, "type": kind} for kind, ident in self.resources],
            "error": self.error,
        }


class Shared:
    """What all projects of one simulator share: the clock, id and address counters, action policy."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.policy = ActionPolicy()
        self.seq = 0
        #: the next id of each kind, and of IPv4 addresses and IPv6 networks (plain numbers: persisted)
        self.counters: dict[str, int] = {kind: base + 1 for kind, base in ID_BASES.items()} | {"ipv4": 1, "ipv6": 1}

    def _take(self, counter: str) -> int:
        value = self.counters[counter]
        self.counters[counter] = value + 1
        return value

    def next_id(self, kind: str) -> int:
        return self._take(kind)

    def next_ipv4(self) -> str:
        n = self._take("ipv4")
        return f"116.203.{n // 250 % 250}.{n % 250 + 2}"

    def next_ipv6_network(self) -> str:
        return f"2a01:4f8:1c1c:{self._take('ipv6'):x}::/64"


class Project:
    """One Hetzner project (one API token): its objects and actions."""

    def __init__(self, token: str, shared: Shared) -> None:
        self.token = token
        self.shared = shared
        self.stores: dict[str, dict[int, Record]] = {kind: {} for kind in ID_BASES if kind != "action"}
        self.actions: dict[int, Action] = {}
        self.running: dict[int, Action] = {}
        #: what guests do on their own after an ACPI shutdown: server id → (due time, what happens)
        self.guest_timers: dict[int, tuple[float, Callback]] = {}

    # objects
    def store(self, kind: str) -> dict[int, Record]:
        return self.stores[kind]

    def find(self, kind: str, ident: object) -> Record | None:
        """By id (int or digit string) or by name."""
        store = self.stores[kind]
        if isinstance(ident, int) and not isinstance(ident, bool):
            return store.get(ident)
        if isinstance(ident, str) and ident.isdigit():
            return store.get(int(ident))
        return next((r for r in store.values() if r.get("name") == ident), None)

    def get(self, kind: str, ident: int) -> Record:
        record = self.stores[kind].get(ident)
        if record is None:
            raise not_found(kind, ident)
        return record

    def insert(self, kind: str, record: Record) -> Record:
        record["id"] = self.shared.next_id(kind)
        record["created"] = iso(self.shared.clock())
        self.stores[kind][record["id"]] = record
        return record

    def ensure_unique(self, kind: str, name: str, value: object, exclude: int | None = None) -> None:
        for record in self.stores[kind].values():
            if record["id"] != exclude and record.get(name) == value:
                raise uniqueness_error(name)

    def setter(self, kind: str, ident: int, **changes: Any) -> Callback:
        """A callback that applies ``changes`` if the object still exists."""

        def apply() -> None:
            record = self.stores[kind].get(ident)
            if record is not None:
                record.update(changes)

        return apply

    def remover(self, kind: str, ident: int) -> Callback:
        """A callback that deletes the object if it still exists."""

        def remove() -> None:
            self.stores[kind].pop(ident, None)

        return remove

    # actions
    def start_action(
        self,
        command: str,
        resources: list[tuple[str, int]],
        on_success: list[Callback] | None = None,
        on_error: list[Callback] | None = None,
    ) -> Action:
        action = Action(
            id=self.shared.next_id("action"),
            command=command,
            resources=resources,
            started=self.shared.clock(),
            seq=self.shared.seq,
            doom=self.shared.policy.take_doom(command),
            on_success=on_success or [],
            on_error=on_error or [],
        )
        self.actions[action.id] = action
        self.running[action.id] = action
        return action

    def render_action(self, action: Action) -> Record:
        return action.to_api(self.shared.clock(), self.shared.policy.duration(action.command))

    def is_locked(self, kind: str, ident: int) -> bool:
        return any(action.touches(kind, ident) for action in self.running.values())

    def ensure_unlocked(self, kind: str, ident: int) -> None:
        if self.is_locked(kind, ident):
            raise locked(kind, ident)

    def settle(self) -> None:
        """Finish running actions that are due (see the module docstring)."""
        policy = self.shared.policy
        now = self.shared.clock()
        for action in sorted(self.running.values(), key=lambda a: a.id) if not policy.manual else ():
            duration = policy.duration(action.command)
            if action.seq < self.shared.seq and now - action.started >= duration:
                self.finish(action, action.doom, at=action.started + duration if duration else None)
        for server_id, (due, effect) in sorted(self.guest_timers.items(), key=lambda item: item[1][0]):
            if now >= due:
                del self.guest_timers[server_id]
                effect()

    def after_guest_shutdown(self, server_id: int, effect: Callback, *, since: float | None = None) -> None:
        """The guest of ``server_id`` got the ACPI signal at ``since`` (now if None): ``effect`` happens once
        it has shut down (never, if guests ignore ACPI). Any power action on the server meanwhile cancels it."""
        seconds = self.shared.policy.guest_shutdown
        if seconds is not None:
            self.guest_timers[server_id] = ((self.shared.clock() if since is None else since) + seconds, effect)

    def finish(self, action: Action, error: tuple[str, str] | None, *, at: float | None = None) -> None:
        if action.status != "running":
            return
        self.running.pop(action.id, None)
        action.status = "error" if error else "success"
        action.finished = self.shared.clock() if at is None else at
        action.error = {"code": error[0], "message": error[1]} if error else None
        for callback in action.on_error if error else action.on_success:
            callback()

    def iter_actions(self) -> Iterator[Action]:
        return iter(self.actions.values())
