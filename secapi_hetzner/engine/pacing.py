"""When to look at a running Hetzner action again: just after the moment it is expected to end, learnt
from the actions seen finishing (per command), so an action costs one read, not one every half second,
and is noticed within half a second of its end. Pure, apart from its lock and the monotonic clock."""

from __future__ import annotations

import threading
import time

#: first guesses per action command (seconds), before any action of the command was seen to finish
TYPICAL_SECONDS = {
    "create_server": 10.0, "start_server": 3.0, "stop_server": 3.0, "shutdown_server": 1.0,
    "reboot_server": 5.0, "change_server_type": 30.0, "delete_server": 3.0, "create_image": 30.0,
    "create_volume": 3.0, "attach_volume": 3.0, "detach_volume": 3.0, "resize_volume": 3.0,
}
DEFAULT_SECONDS = 5.0
#: not a Hetzner action: how long guests take to power off after a shutdown's ACPI signal (learnt from
#: the server going off, per project as the actions are)
GUEST_SHUTDOWN = "guest_shutdown"
TYPICAL_SECONDS[GUEST_SHUTDOWN] = 5.0
#: the longest pause between two reads of an action that takes much longer than expected
MAX_PAUSE_SECONDS = 10.0
LEARNING_WEIGHT = 0.3  # weight of the newest observation in the running estimate
#: how long after the expected end the first read comes, at most
FIRST_READ_MARGIN = 0.5
#: local start times kept (actions this process started), oldest half dropped beyond it
MAX_LOCAL_STARTS = 10_000


class ActionPacing:
    """Expected durations per command: the first one seen replaces the guess, later ones move it by
    ``LEARNING_WEIGHT``; a command not seen yet is guessed from the others (how much faster or slower
    this Hetzner is than the typical times)."""

    def __init__(self, scale: float = 1.0) -> None:
        """``scale`` multiplies the first guesses (0 in tests against an instant simulator)."""
        self._scale = scale
        self._learnt: dict[str, float] = {}
        self._ratio: float | None = None  # observed / typical, over every action seen
        self._local_starts: dict[int, float] = {}
        self._lock = threading.Lock()

    def expected(self, command: str) -> float:
        with self._lock:
            if command in self._learnt:
                return self._learnt[command]
            ratio = self._scale if self._ratio is None else self._ratio
            return TYPICAL_SECONDS.get(command, DEFAULT_SECONDS) * ratio

    def observe(self, command: str, seconds: float | None) -> None:
        """An action of ``command`` finished after ``seconds``: learn from it."""
        if seconds is None:
            return
        with self._lock:
            before = self._learnt.get(command)
            self._learnt[command] = seconds if before is None else before + LEARNING_WEIGHT * (seconds - before)
            ratio = seconds / TYPICAL_SECONDS.get(command, DEFAULT_SECONDS)
            self._ratio = ratio if self._ratio is None else self._ratio + LEARNING_WEIGHT * (ratio - self._ratio)

    def started(self, action_id: int) -> None:
        """This process has just started action ``action_id``: its elapsed time is known to the
        millisecond from now on (Hetzner dates actions to the second only)."""
        with self._lock:
            if len(self._local_starts) >= MAX_LOCAL_STARTS:
                for old in sorted(self._local_starts, key=self._local_starts.__getitem__)[: MAX_LOCAL_STARTS // 2]:
                    del self._local_starts[old]
            self._local_starts[action_id] = time.monotonic()

    def elapsed(self, action_id: int) -> float | None:
        """Seconds since this process started action ``action_id``; None when another process did."""
        with self._lock:
            at = self._local_starts.get(action_id)
        return None if at is None else time.monotonic() - at

    def pause(self, command: str, elapsed: float, poll: float) -> float:
        """Seconds until the next read of an action of ``command`` running for ``elapsed`` seconds: just after
        the expected end first (a tenth of the expected time later, at most half a second, so an action that
        takes what was learnt costs one read and is noticed within half a second), then every tenth of the
        expected time (at most a second apart) until it has run half as long again as expected, then a third
        of the time it has run so far (an action much slower than guessed costs a few reads, not one per
        poll); never below ``poll``, never above ``MAX_PAUSE_SECONDS``."""
        expected = self.expected(command)
        first = expected + min(0.1 * expected, FIRST_READ_MARGIN)
        if elapsed < first:
            return max(poll, first - elapsed)
        if elapsed < 1.5 * expected:
            return max(poll, min(0.1 * expected, 1.0))
        return min(MAX_PAUSE_SECONDS, max(poll, 0.1 * expected, elapsed / 3))
