"""Hetzner's error envelope: one exception class, the code → HTTP status table, and shorthands.

Every failure the simulator reports is a :class:`SimError`; the request pipeline turns it into
``{"error": {"code", "message", "details"}}`` with the status from :data:`STATUS_BY_CODE`.
Resource-specific codes (``server_not_stopped``, ``volume_already_attached`` …) answer 422,
as the operation tables in the Hetzner documentation list them.
"""

from __future__ import annotations

from typing import Any, Final

STATUS_BY_CODE: Final[dict[str, int]] = {
    "json_error": 400,
    "unauthorized": 401,
    "token_readonly": 401,
    "forbidden": 403,
    "maintenance": 403,
    "resource_limit_exceeded": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "uniqueness_error": 409,
    "conflict": 409,
    "deprecated_api_endpoint": 410,
    "resource_unavailable": 412,
    "invalid_input": 422,
    "service_error": 422,
    "unsupported_error": 422,
    "locked": 423,
    "protected": 423,
    "rate_limit_exceeded": 429,
    "server_error": 500,
    "bad_gateway": 502,
    "unavailable": 503,
    "timeout": 504,
}
RESOURCE_CODE_STATUS: Final = 422

CODE_BY_STATUS: Final[dict[int, str]] = {
    400: "json_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "deprecated_api_endpoint",
    412: "resource_unavailable",
    422: "invalid_input",
    423: "locked",
    429: "rate_limit_exceeded",
    500: "server_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}


def status_for(code: str) -> int:
    """The HTTP status Hetzner answers with for an error code."""
    return STATUS_BY_CODE.get(code, RESOURCE_CODE_STATUS)


class SimError(Exception):
    """An API error as Hetzner reports it."""

    def __init__(
        self, code: str, message: str, details: dict[str, Any] | None = None, status: int | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.status = status if status is not None else status_for(code)

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def not_found(kind: str, ident: object) -> SimError:
    return SimError("not_found", f"{kind} with ID '{ident}' not found")


def invalid_input(message: str, fields: dict[str, list[str]] | None = None) -> SimError:
    listed = [{"name": name, "messages": msgs} for name, msgs in (fields or {}).items()]
    return SimError("invalid_input", message, {"fields": listed})


def invalid_field(name: str, message: str) -> SimError:
    return invalid_input(f"invalid input in field '{name}'", {name: [message]})


def uniqueness_error(field: str) -> SimError:
    return SimError("uniqueness_error", f"{field} is already used", {"fields": [{"name": field}]})


def locked(kind: str, ident: int) -> SimError:
    return SimError("locked", f"{kind} with ID '{ident}' is locked by a running action", {})


def protected(kind: str, ident: int) -> SimError:
    return SimError("protected", f"{kind} with ID '{ident}' is protected", {})
