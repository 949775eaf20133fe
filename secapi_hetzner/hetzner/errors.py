"""Hetzner failures, classified where they enter (the only place that sees ``hcloud.APIException``).

    HetznerError
    ├── HetznerTransient   retry later: rate limits, locks, conflicts, timeouts, 5xx, unreachable
    ├── HetznerNotFound    the object is gone
    └── HetznerRejected    Hetzner refused the request as such: retrying cannot help
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from hcloud import APIException
from hcloud.actions import ActionFailedException, ActionTimeoutException

TRANSIENT_CODES = frozenset({
    "rate_limit_exceeded", "locked", "conflict", "timeout", "server_error", "unavailable",
    "bad_gateway", "maintenance", "robot_unavailable", "resource_unavailable",
})
NOT_FOUND_CODES = frozenset({"not_found"})
#: HTTP statuses that mean "later" when Hetzner (or a proxy before it) answers without a JSON error code
TRANSIENT_STATUSES = frozenset({408, 409, 423, 425, 429})


class HetznerError(Exception):
    def __init__(self, code: str, message: str, *, correlation_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.correlation_id = correlation_id


class HetznerTransient(HetznerError):
    pass


class HetznerNotFound(HetznerError):
    pass


class HetznerRejected(HetznerError):
    pass


def classify(code: str, message: str, correlation_id: str | None = None) -> HetznerError:
    if code in NOT_FOUND_CODES:
        return HetznerNotFound(code, message, correlation_id=correlation_id)
    if code in TRANSIENT_CODES or (code.isdigit() and (int(code) >= 500 or int(code) in TRANSIENT_STATUSES)):
        return HetznerTransient(code, message, correlation_id=correlation_id)
    return HetznerRejected(code, message, correlation_id=correlation_id)


@contextmanager
def hetzner_errors() -> Iterator[None]:
    """Translate hcloud and transport failures into :class:`HetznerError` subclasses."""
    try:
        yield
    except APIException as exc:
        raise classify(str(exc.code), str(exc.message), exc.correlation_id) from exc
    except ActionFailedException as exc:
        raise HetznerRejected(str(exc.action.error.get("code", "action_failed")) if exc.action.error
                              else "action_failed", str(exc)) from exc
    except ActionTimeoutException as exc:
        raise HetznerTransient("action_timeout", str(exc)) from exc
    except requests.Timeout as exc:
        raise HetznerTransient("timeout", "Hetzner did not answer in time.") from exc
    except requests.ConnectionError as exc:
        raise HetznerTransient("unreachable", "Hetzner cannot be reached.") from exc
