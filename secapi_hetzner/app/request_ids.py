"""Request ids (``X-Request-Id``): a client's own id when it sends a valid one, else a new random one. The id
reaches every log line (asgi-correlation-id's log filter reads its context variable), every error body and
the answer's ``X-Request-Id`` header. What asgi-correlation-id's middleware does, as a function
(app/edge.py calls it)."""

from __future__ import annotations

import logging
import os
import random

from asgi_correlation_id.context import correlation_id
from asgi_correlation_id.middleware import FAILED_VALIDATION_MESSAGE, is_valid_uuid4
from starlette.types import Scope

log = logging.getLogger("asgi_correlation_id")
HEADER = b"x-request-id"  # echoed in every answer, quoted in error bodies

#: a private generator seeded from the OS once per process (and again in every forked child, so two workers never
#: share a sequence): a request id is a correlation handle, not a secret
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)
_VERSION_4 = (0x4 << 76) | (0x2 << 62)
_NOT_VERSION_BITS = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)


def new_request_id() -> str:
    """A random request id in the form asgi-correlation-id makes (a version-4 UUID's 32 hex digits), without a
    read of the OS's entropy per request (measured at several microseconds a request here)."""
    return f"{(_ids.getrandbits(128) & _NOT_VERSION_BITS) | _VERSION_4:032x}"


def assign(scope: Scope) -> str:
    """This request's id: the client's ``X-Request-Id`` if it is a valid UUID, else a new one (which then
    replaces the client's header, for the inner layers). Set as the request's correlation id."""
    sent = [value for name, value in scope["headers"] if name == HEADER]
    given = sent[0].decode("latin-1") if sent else ""
    if given and is_valid_uuid4(given):
        request_id = given
    else:
        request_id = new_request_id()
        if given:
            log.warning(FAILED_VALIDATION_MESSAGE, request_id)
        scope["headers"] = [(n, v) for n, v in scope["headers"] if n != HEADER] + [(HEADER, request_id.encode())]
    correlation_id.set(request_id)
    return request_id
