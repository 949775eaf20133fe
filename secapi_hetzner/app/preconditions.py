"""``if-unmodified-since: <resourceVersion>``, read before Connexion sees it.

Connexion 3.3 validates header parameters without converting them, so the spec's integer header
would reject every value ("'1' is not of type 'integer'"). app/edge.py takes the header out,
checks it is an integer itself (412 on PUT/DELETE, 400 elsewhere, like other rejected input), and
hands the version to the handlers through a context variable. Any integer is valid, as the spec's schema
says; one no resource can have (beyond a PostgreSQL bigint) makes a write fail as stale (412).
"""

from __future__ import annotations

import contextvars
import re

from secapi_hetzner.app.problems import REJECTION_412_METHODS, Refused

HEADER = b"if-unmodified-since"
#: an integer (the spec's type for the header): ASCII digits only ('²'.isdigit() is true)
INTEGER = re.compile(r"-?[0-9]+")
#: a resourceVersion is a PostgreSQL bigint: a longer integer is valid but names no version there can be
NEVER_A_VERSION = -(2**64)
_expected: contextvars.ContextVar[int | None] = contextvars.ContextVar("if_unmodified_since", default=None)


def expected_version() -> int | None:
    return _expected.get()


def read_precondition(method: str, headers: list[tuple[bytes, bytes]]) -> tuple[int | None, list[tuple[bytes, bytes]]]:
    """The version a request's ``If-Unmodified-Since`` names (None without one), and its headers without it
    (Connexion never sees it). An invalid value is refused: 412 on PUT/DELETE, 400 elsewhere."""
    values = [value for name, value in headers if name == HEADER]
    if not values:
        return None, headers
    text = values[-1].decode("latin-1").strip()
    if not INTEGER.fullmatch(text):
        raise Refused(412 if method.upper() in REJECTION_412_METHODS else 400,
                      f"if-unmodified-since must be an integer resourceVersion, not {text[:40]!r}.",
                      parameter="if-unmodified-since", pointer="/")
    # any integer is valid (the header's schema says no more); one beyond 19 digits (which int() might
    # also refuse to read) is a version no resource has: a write then fails as stale, with 412
    version = int(text) if len(text.lstrip("-")) <= 19 else NEVER_A_VERSION
    return version, [(n, v) for n, v in headers if n != HEADER]


def expect_version(version: int | None) -> contextvars.Token[int | None]:
    """Make ``version`` the current request's (reset with :func:`forget_version`)."""
    return _expected.set(version)


def forget_version(token: contextvars.Token[int | None]) -> None:
    _expected.reset(token)
