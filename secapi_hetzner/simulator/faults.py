"""Fault injection: make matching requests fail, slow down, or fail after their effect was applied.

A fault matches on method (None: any), a regex searched in the path below ``/v1`` (for example
``^/servers$`` or ``/actions/poweron$``) and optionally the caller's token. It fires ``times``
times (None: until cleared). What it does:

* ``status``/``code`` without ``after_effect``: answer with that error and change nothing;
* ``latency``: wait that many seconds first (to provoke client timeouts);
* ``after_effect=True``: run the request, so its effect is applied to the state, then wait
  ``latency`` and answer with the error (or, without ``status``, with the real answer, late) —
  the "created, but the client never heard" case;
* ``plain=True``: the error body is plain text, not JSON (hcloud then reports the HTTP status).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from .errors import CODE_BY_STATUS, SimError, status_for


@dataclass
class Fault:
    id: int
    path: str = ""
    method: str | None = None
    token: str | None = None
    status: int | None = None
    code: str | None = None
    message: str = "injected by the simulator"
    latency: float = 0.0
    after_effect: bool = False
    plain: bool = False
    times: int | None = 1

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path)
        if self.code is not None and self.status is None:
            self.status = status_for(self.code)
        if self.status is not None and self.code is None:
            self.code = CODE_BY_STATUS.get(self.status, "server_error")
        if self.status is None and self.latency <= 0:
            raise ValueError("a fault needs a status, a code or a latency")
        if self.method is not None:
            self.method = self.method.upper()

    def matches(self, method: str, path: str, token: str) -> bool:
        return (
            (self.method is None or self.method == method)
            and (self.token is None or self.token == token)
            and self._regex.search(path) is not None
        )

    def error(self) -> SimError | None:
        if self.status is None or self.code is None:
            return None
        return SimError(self.code, self.message, {}, self.status)

    def to_api(self) -> dict[str, Any]:
        fields = ("id", "path", "method", "token", "status", "code", "message", "latency", "after_effect")
        return {name: getattr(self, name) for name in (*fields, "plain", "times")}


class FaultBook:
    """The armed faults, first match wins."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, **settings: Any) -> Fault:
        fault = Fault(id=next(self._ids), **settings)
        self._faults.append(fault)
        return fault

    def take(self, method: str, path: str, token: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, path, token):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def remove(self, fault_id: int) -> bool:
        before = len(self._faults)
        self._faults = [f for f in self._faults if f.id != fault_id]
        return len(self._faults) < before

    def clear(self) -> None:
        self._faults.clear()

    def listed(self) -> list[dict[str, Any]]:
        return [fault.to_api() for fault in self._faults]
