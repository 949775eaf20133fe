"""Request ids: random version-4 UUIDs (as asgi-correlation-id makes them), never shared by two workers."""

from __future__ import annotations

import os
import uuid

from secapi_hetzner.app.request_ids import new_request_id


def test_request_ids_are_distinct_version_4_uuids() -> None:
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 32 and uuid.UUID(i).version == 4 and uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)


def test_a_forked_worker_does_not_repeat_its_parents_ids() -> None:
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child's next id, to compare with the parent's next one
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 64).decode() != new_request_id()
