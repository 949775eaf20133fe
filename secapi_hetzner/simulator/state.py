"""``SimState``: everything one simulator instance knows, and the test-control surface over it.

All methods are thread-safe (tests call them while the server thread answers requests).
``reset()`` forgets projects, faults, counters and settings, but ids keep counting upwards, so an
id seen before a reset never names a different object after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .counters import RequestCounter
from .errors import SimError, not_found
from .faults import FaultBook
from .model import ActionPolicy, Doom, Project, Record, Shared
from .ratelimit import DEFAULT_LIMIT, DEFAULT_REFILL, RateLimiter
from .registry import dump_project


class SimState:
    def __init__(
        self,
        *,
        valid_tokens: Iterable[str] | None = None,
        action_seconds: float = 0.0,
        manual_actions: bool = False,
        rate_limit: int = DEFAULT_LIMIT,
        rate_refill_per_second: float = DEFAULT_REFILL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.RLock()
        self.valid_tokens = frozenset(valid_tokens) if valid_tokens is not None else None
        self.shared = Shared(clock)
        self.projects: dict[str, Project] = {}
        self.faults = FaultBook()
        self.counter = RequestCounter()
        self.limiter = RateLimiter(rate_limit, rate_refill_per_second, clock)
        self._defaults = (action_seconds, manual_actions, rate_limit, rate_refill_per_second)
        self.set_action_timing(action_seconds, manual=manual_actions)

    # projects
    def accepts(self, token: str) -> bool:
        return bool(token) and (self.valid_tokens is None or token in self.valid_tokens)

    def project(self, token: str) -> Project:
        with self.lock:
            if token not in self.projects:
                self.projects[token] = Project(token, self.shared)
            return self.projects[token]

    def begin_request(self, token: str) -> Project:
        """Count a new request and settle the project's due actions; call with the lock held."""
        self.shared.seq += 1
        project = self.project(token)
        project.settle()
        return project

    def reset(self) -> None:
        seconds, manual, limit, refill = self._defaults
        with self.lock:
            self.projects.clear()
            self.faults.clear()
            self.counter.reset()
            self.limiter.configure(limit, refill)
            self.shared.policy = ActionPolicy()
            self.set_action_timing(seconds, manual=manual)

    def dump(self, token: str | None = None) -> dict[str, Any]:
        """``{"projects": {token: {"servers": [...], "volumes": [...], ...}}}``; counts as a read."""
        with self.lock:
            self.shared.seq += 1
            chosen = [t for t in self.projects if token is None or t == token]
            for owner in chosen:
                self.projects[owner].settle()
            return {"projects": {owner: dump_project(self.projects[owner]) for owner in chosen}}

    # actions
    def set_action_timing(self, seconds: float = 0.0, *, manual: bool = False,
                          commands: dict[str, float] | None = None, guest_shutdown: float | None = 0.0) -> None:
        """Actions finish ``seconds`` after they start (0: on the next read), those of ``commands`` after
        their own duration, or only by hand; a guest powers off ``guest_shutdown`` seconds after a
        shutdown's ACPI signal was delivered (None: guests ignore ACPI)."""
        durations = {str(k): float(v) for k, v in (commands or {}).items()}
        if seconds < 0 or any(v < 0 for v in durations.values()) or (guest_shutdown or 0) < 0:
            raise ValueError("durations must be >= 0")
        with self.lock:
            self.shared.policy.seconds = seconds
            self.shared.policy.manual = manual
            self.shared.policy.durations = durations
            self.shared.policy.guest_shutdown = guest_shutdown

    def actions(self, status: str | None = None, token: str | None = None) -> list[Record]:
        """Actions of all (or one) projects, oldest first, each with its project's ``token``."""
        with self.lock:
            found = [
                {**project.render_action(action), "token": owner}
                for owner, project in self.projects.items()
                if token is None or owner == token
                for action in project.iter_actions()
            ]
        return sorted((a for a in found if status is None or a["status"] == status), key=lambda a: a["id"])

    def _finish(self, action_id: int, error: tuple[str, str] | None, planned: bool) -> Record:
        with self.lock:
            for project in self.projects.values():
                action = project.actions.get(action_id)
                if action is not None:
                    if action.status != "running":
                        raise SimError("conflict", f"action {action_id} is already {action.status}")
                    project.finish(action, action.doom if planned else error)
                    return project.render_action(action)
        raise not_found("action", action_id)

    def complete_action(self, action_id: int) -> Record:
        """Finish a running action as planned: success, unless ``fail_next_action`` doomed it."""
        return self._finish(action_id, None, planned=True)

    def fail_action(
        self, action_id: int, code: str = "action_failed", message: str = "Action failed"
    ) -> Record:
        return self._finish(action_id, (code, message), planned=False)

    def fail_next_action(
        self, command: str, code: str = "action_failed", message: str = "Action failed", times: int = 1
    ) -> None:
        """The next ``times`` actions with this ``command`` (e.g. ``create_server``) end in error."""
        with self.lock:
            self.shared.policy.dooms.append(Doom(command, code, message, times))

    # faults
    def inject_fault(
        self,
        path: str = "",
        *,
        method: str | None = None,
        status: int | None = None,
        code: str | None = None,
        message: str = "injected by the simulator",
        latency: float = 0.0,
        after_effect: bool = False,
        plain: bool = False,
        times: int | None = 1,
        token: str | None = None,
    ) -> int:
        """Arm a fault (see :mod:`faults`); returns its id."""
        with self.lock:
            fault = self.faults.add(
                path=path, method=method, status=status, code=code, message=message, latency=latency,
                after_effect=after_effect, plain=plain, times=times, token=token,
            )  # fmt: skip
            return fault.id

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def list_faults(self) -> list[dict[str, Any]]:
        with self.lock:
            return self.faults.listed()

    # counters and rate limit
    def request_counts(self, token: str | None = None) -> dict[str, Any]:
        with self.lock:
            return self.counter.snapshot(token)

    def reset_request_counts(self) -> None:
        with self.lock:
            self.counter.reset()

    def set_rate_limit(self, limit: int, refill_per_second: float = DEFAULT_REFILL) -> None:
        with self.lock:
            self.limiter.configure(limit, refill_per_second)
