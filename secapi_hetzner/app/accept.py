"""Treat a wildcard ``Accept`` as ``application/json``.

The spec enumerates the list operations' ``Accept`` values; common HTTP clients (curl, browsers,
requests) send ``*/*`` by default, which would otherwise be rejected with 400. Only pure wildcards
are rewritten; any other value is validated against the spec as usual.
"""

from __future__ import annotations

WILDCARDS = {b"*/*", b"application/*"}


def json_for_wildcards(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, b"application/json" if name == b"accept" and value.strip() in WILDCARDS else value)
            for name, value in headers]
