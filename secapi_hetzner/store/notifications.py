"""Push wake-ups between processes: PostgreSQL ``LISTEN``/``NOTIFY`` on one channel.

Enqueuing an operation notifies the channel in the enqueuing transaction (delivered at commit); every
worker of every replica listens on a connection of its own and wakes at once instead of at its next poll.
Polling stays the fallback: a lost connection is re-opened, and nothing is lost while it is down (the
operation is in the table; the next poll finds it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)

#: the channel enqueued operations are announced on
OPERATIONS_CHANNEL = "seca_operations"


def listen(database_url: str, on_notify: Callable[[], None], stop: threading.Event, *,
           channel: str = OPERATIONS_CHANNEL, reconnect_after: float = 1.0) -> None:
    """Call ``on_notify`` for every notification on ``channel`` until ``stop`` is set (blocking: run it in a
    thread of its own)."""
    while not stop.is_set():
        try:
            with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"LISTEN {channel}")
                while not stop.is_set():
                    for _ in conn.notifies(timeout=0.5):
                        on_notify()
        except psycopg.Error as exc:  # the database went away: poll meanwhile, listen again soon
            log.warning("listening for new operations failed (%s); polling until it works again",
                        type(exc).__name__)
            stop.wait(reconnect_after)
