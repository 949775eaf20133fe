"""The one error mapper: exception → SECA ``Error`` body (RFC 7807 shape, spec error type).

Every error the service answers goes through :func:`problem_response`, whether it was raised by a
handler (:mod:`secapi_hetzner.errors`), by Connexion (validation, security, routing) or by Starlette.
The status for each rejection is decided in one table; see docs/compatibility.md for the choices that
follow the official conformance suite rather than plain HTTP (412 for rejected writes).
"""

from __future__ import annotations

import enum
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from asgi_correlation_id import correlation_id
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.types import Scope, Send

from secapi_hetzner import errors

log = logging.getLogger(__name__)

ERROR_MEDIA_TYPE = "application/json"
MAX_INSTANCE_LENGTH = 256
MAX_DETAIL_LENGTH = 32768
#: the spec's ErrorSource maxLengths
MAX_POINTER_LENGTH = 256
MAX_PARAMETER_LENGTH = 64


class SecaErrorType(enum.StrEnum):
    """The closed set of error type URIs the SECA spec defines."""

    INVALID_REQUEST = "http://secapi.cloud/errors/invalid-request"
    UNAUTHORIZED = "http://secapi.cloud/errors/unauthorized"
    FORBIDDEN = "http://secapi.cloud/errors/forbidden"
    RESOURCE_NOT_FOUND = "http://secapi.cloud/errors/resource-not-found"
    RESOURCE_CONFLICT = "http://secapi.cloud/errors/resource-conflict"
    PRECONDITION_FAILED = "http://secapi.cloud/errors/precondition-failed"
    VALIDATION_ERROR = "http://secapi.cloud/errors/validation-error"
    INTERNAL_SERVER_ERROR = "http://secapi.cloud/errors/internal-server-error"


T = SecaErrorType

#: status → (error type, title). Statuses the spec has no type for use the nearest server-side type.
STATUS_TABLE: dict[int, tuple[SecaErrorType, str]] = {
    400: (T.INVALID_REQUEST, "Bad Request"),
    401: (T.UNAUTHORIZED, "Unauthorized"),
    403: (T.FORBIDDEN, "Forbidden"),
    404: (T.RESOURCE_NOT_FOUND, "Not Found"),
    405: (T.INVALID_REQUEST, "Method Not Allowed"),
    406: (T.INVALID_REQUEST, "Not Acceptable"),
    409: (T.RESOURCE_CONFLICT, "Conflict"),
    412: (T.PRECONDITION_FAILED, "Precondition Failed"),
    413: (T.INVALID_REQUEST, "Payload Too Large"),
    415: (T.INVALID_REQUEST, "Unsupported Media Type"),
    422: (T.VALIDATION_ERROR, "Unprocessable Entity"),
    500: (T.INTERNAL_SERVER_ERROR, "Internal Server Error"),
    501: (T.INTERNAL_SERVER_ERROR, "Not Implemented"),
    503: (T.INTERNAL_SERVER_ERROR, "Service Unavailable"),
}

#: our exception classes → HTTP status (looked up along the MRO).
EXCEPTION_STATUS: dict[type[errors.SecaError], int] = {
    errors.InvalidRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.ValidationFailed: 422,
    errors.NotImplementedYet: 501,
    errors.Unavailable: 503,
    errors.SecaError: 500,
}

#: methods whose operations all document 412: a rejected request body there answers 412, as the
#: official conformance suite demands; elsewhere it is a plain 400.
REJECTION_412_METHODS = frozenset({"PUT", "DELETE"})


def error_body(
    status: int,
    detail: str,
    *,
    instance: str,
    pointer: str | None = None,
    parameter: str | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a spec-conformant ``Error`` object."""
    error_type, title = STATUS_TABLE.get(status, STATUS_TABLE[500 if status >= 500 else 400])
    # the spec's ErrorSource requires both members: a body problem names the "body" parameter,
    # a parameter problem points at the document root
    source = {"pointer": (pointer or "/")[:MAX_POINTER_LENGTH],
              "parameter": (parameter or "body")[:MAX_PARAMETER_LENGTH]}
    sources = [source] if pointer or parameter else []
    body: dict[str, Any] = {
        "type": str(error_type),
        "title": title,
        "status": status,
        "detail": (detail or title)[:MAX_DETAIL_LENGTH],
        "instance": (instance or "/")[:MAX_INSTANCE_LENGTH],
        "sources": sources,
    }
    request_id = correlation_id.get()
    if meta or request_id:
        body["meta"] = {**(meta or {}), **({"requestId": request_id} if request_id else {})}
    return body


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype=ERROR_MEDIA_TYPE,
        content_type=ERROR_MEDIA_TYPE,
        body=json.dumps(body),
        headers=headers or {},
    )


def status_for(exc: errors.SecaError) -> int:
    for cls in type(exc).__mro__:
        if cls in EXCEPTION_STATUS:
            return EXCEPTION_STATUS[cls]
    return 500


def _request_path(request: ConnexionRequest) -> str:
    return str(request.url.path)


def _routed_path(request: ConnexionRequest) -> str:
    """The path as the router saw it. (``request.url`` is parsed by urllib, which drops tabs and newlines: a
    workspace named ``%0A`` would leave an empty segment that fits no route.)"""
    return str(request.scope.get("path") or _request_path(request))


async def handle_seca_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, errors.SecaError)
    status = status_for(exc)
    meta = {"capability": exc.capability} if isinstance(exc, errors.NotImplementedYet) else None
    body = error_body(
        status,
        exc.detail,
        instance=_request_path(request),
        pointer=exc.pointer,
        parameter=exc.parameter,
        meta=meta,
    )
    return problem_response(status, body)


def _framework_status(method: str, status: int) -> int:
    if status == 400 and method.upper() in REJECTION_412_METHODS:
        return 412
    return status


ProblemHandler = Callable[[ConnexionRequest, Exception], Awaitable[ConnexionResponse]]


def problem_handler(fits_a_route: Callable[[str], bool]) -> ProblemHandler:
    """The handler of Connexion's own problems and Starlette's HTTP errors for one app; ``fits_a_route``
    tells whether a path fits one of its operations' templates (a 404 for such a path is malformed input)."""

    async def handle(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        return await handle_problem(request, exc, fits_a_route)

    return handle


async def handle_problem(request: ConnexionRequest, exc: Exception,
                         fits_a_route: Callable[[str], bool]) -> ConnexionResponse:
    """Connexion's own problems (validation, security, resolver) and Starlette HTTP errors."""
    if isinstance(exc, ProblemException):
        status, detail, headers = exc.status, str(exc.detail or exc.title or ""), exc.headers
    elif isinstance(exc, HTTPException):
        status, detail, headers = exc.status_code, str(exc.detail or ""), exc.headers
    else:  # pragma: no cover - registered only for the two classes above
        return await handle_unexpected(request, exc)
    if status >= 500 and status != 501:
        return await handle_unexpected(request, exc)
    if status == 404 and isinstance(exc, HTTPException) and fits_a_route(_routed_path(request)):
        # the router could not take a path parameter with control characters: it is malformed input
        status, detail = 400, "A path parameter contains characters no SECA name or identifier may hold."
    schema_violation = status == 400
    status = _framework_status(request.method, status)
    pointer = (getattr(exc, "ext", None) or {}).get("pointer") if isinstance(exc, ProblemException) else None
    # meta.cause tells a client (and the fuzz tests) that the request broke the schema itself, as
    # opposed to a rejection by state (a missing reference, a stale version): both can be 412.
    body = error_body(status, detail, instance=_request_path(request), pointer=pointer,
                      meta={"cause": "schema"} if schema_violation else None)
    return problem_response(status, body, dict(headers or {}))


async def handle_unicode_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    status = _framework_status(request.method, 400)
    body = error_body(status, "The request body is not valid UTF-8.", instance=_request_path(request))
    return problem_response(status, body)


class Refused(Exception):
    """A request refused before Connexion sees it (app/edge.py answers it with :func:`send_refusal`)."""

    def __init__(self, status: int, detail: str, *, parameter: str | None = None, pointer: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.parameter, self.pointer = status, detail, parameter, pointer
        self.headers = headers or {}


async def send_refusal(scope: Scope, send: Send, refused: Refused) -> None:
    """Answer a refusal from the edge (before Connexion), with the same body as every other error."""
    body = json.dumps(error_body(refused.status, refused.detail, instance=str(scope.get("path", "/")),
                                 pointer=refused.pointer, parameter=refused.parameter)).encode()
    raw = [(b"content-type", ERROR_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in refused.headers.items()]
    await send({"type": "http.response.start", "status": refused.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def handle_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """A bug or an unknown failure: 500 with a correlation id, never a traceback."""
    reference = correlation_id.get() or uuid.uuid4().hex
    log.error("unexpected error %s on %s %s", reference, request.method, _request_path(request),
              exc_info=exc)
    body = error_body(
        500,
        f"An unexpected error occurred. Quote correlation id {reference} when reporting it.",
        instance=_request_path(request),
        meta={"correlationId": reference},
    )
    return problem_response(500, body)
