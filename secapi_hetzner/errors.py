"""The one exception tree of secapi-hetzner.

    SecaError                      anything the service reports to a client
    ├── InvalidRequest             400  malformed input (bad UTF-8, NUL bytes, bad label filter, bad skipToken)
    ├── Unauthenticated            401  no or unknown bearer token
    ├── Forbidden                  403  token valid, scope not allowed
    ├── NotFound                   404  the addressed resource does not exist
    ├── Conflict                   409  the request conflicts with the current state
    ├── PreconditionFailed         412  rejected request: stale version, bad reference, constraint violated
    ├── ValidationFailed           422  semantically invalid (kept for completeness; see docs/compatibility.md)
    ├── NotImplementedYet          501  operation in the contract but not built yet / unsupported on Hetzner
    └── Unavailable                503  a dependency (database, Hetzner) cannot be reached right now

Foreign errors are translated where they enter: ``hetzner.errors.hetzner_errors()`` for hcloud,
``store.db.db_errors()`` for psycopg. Nothing above those boundaries catches foreign exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable


def json_pointer(segments: Iterable[object]) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes: ``("labels", "a/b")`` → ``/labels/a~1b``."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in segments)


class SecaError(Exception):
    """Base class: carries a human-readable detail and optional JSON-pointer sources."""

    def __init__(self, detail: str, *, pointer: str | None = None, parameter: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.pointer = pointer
        self.parameter = parameter


class InvalidRequest(SecaError):
    pass


class Unauthenticated(SecaError):
    pass


class Forbidden(SecaError):
    pass


class NotFound(SecaError):
    pass


class Conflict(SecaError):
    pass


class PreconditionFailed(SecaError):
    pass


class ValidationFailed(SecaError):
    pass


class NotImplementedYet(SecaError):
    def __init__(self, detail: str, *, capability: str = "") -> None:
        super().__init__(detail)
        self.capability = capability


class Unavailable(SecaError):
    pass
