"""Request bodies, checked and read once before Connexion sees them.

* **Size**: a body over ``limits.MAX_BODY_BYTES`` is answered 413 before more of it is read (by its
  ``Content-Length``, or as it streams in).
* **Media type**: a body must be sent as ``application/json`` (any case, any parameters): none, or another,
  is 415. Connexion compares media types case-sensitively and breaks on a missing one.
* **JSON no SECA body needs**: nesting deeper than ``MAX_DEPTH`` and numbers longer than ``MAX_DIGITS``
  (Python refuses to convert ints of 4,300 digits and more) are refused as malformed bodies (412 on
  PUT/DELETE, 400 elsewhere, like every rejected body).
* **Read-only blocks**: SECA clients send ``metadata`` and ``status`` with PUTs (the conformance suite
  sends zero values, Terraform partial metadata, some updates a whole object read before). The spec says
  the server ignores them, but schema validation would reject the zero values, so they are dropped here;
  ``metadata`` is kept aside (a ``metadata.region`` that does not match the endpoint is a 412).
"""

from __future__ import annotations

import contextvars
import json
from typing import Any

from starlette.types import Message, Receive, Scope

from secapi_hetzner.app.problems import REJECTION_412_METHODS, Refused
from secapi_hetzner.limits import MAX_BODY_BYTES

READ_ONLY = ("metadata", "status")
BODY_METHODS = frozenset({"PUT", "POST", "PATCH"})
JSON_MEDIA_TYPE = "application/json"
MAX_DEPTH = 32
MAX_DIGITS = 64
_submitted: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("submitted_metadata",
                                                                                  default=None)


def submitted_metadata() -> dict[str, Any]:
    """The ``metadata`` object the client sent with this PUT (ignored except for checks)."""
    return _submitted.get() or {}


def _refused(status: int, detail: str) -> Refused:
    """A body that may not pass: the answer names the body and closes the connection."""
    return Refused(status, detail, parameter="body", pointer="/", headers={"Connection": "close"})


async def read_body(scope: Scope, receive: Receive, headers: list[tuple[bytes, bytes]],
                    max_body: int = MAX_BODY_BYTES) -> tuple[dict[str, Any] | None, bytes, list[tuple[bytes, bytes]]]:
    """A PUT/POST/PATCH body, read whole and checked (:class:`~secapi_hetzner.app.problems.Refused` when it
    may not pass), with the ``metadata`` the client sent, the body Connexion is to see (read-only blocks
    dropped) and the request headers that describe that body."""
    metadata, body = _checked(scope, await _read(scope, receive, max_body))
    headers = [(n, v) for n, v in headers if n not in (b"content-length", b"content-type")]
    headers.append((b"content-length", str(len(body)).encode()))
    if body:
        headers.append((b"content-type", JSON_MEDIA_TYPE.encode()))  # one spelling for Connexion
    return metadata, body, headers


def replaying(body: bytes) -> Receive:
    """A ``receive`` that gives the body once, then reports the client gone."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def submit_metadata(metadata: dict[str, Any] | None) -> contextvars.Token[dict[str, Any] | None]:
    return _submitted.set(metadata)


def forget_metadata(token: contextvars.Token[dict[str, Any] | None]) -> None:
    _submitted.reset(token)


async def _read(scope: Scope, receive: Receive, max_body: int) -> bytes:
    too_big = _refused(413, f"The request body is larger than the limit of {max_body} bytes "
                                f"({max_body // (1024 * 1024)} MiB).")
    declared = _header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body:
        raise too_big
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > max_body:
            raise too_big
        more = message.get("more_body", False)
    return b"".join(chunks)


def _header(scope: Scope, name: bytes) -> str | None:
    values = [value for key, value in scope["headers"] if key == name]
    return values[-1].decode("latin-1").strip() if values else None


def _checked(scope: Scope, body: bytes) -> tuple[dict[str, Any] | None, bytes]:
    if not body.strip():
        return None, body
    media_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        sent = f"{media_type!r}" if media_type else "no Content-Type"
        raise _refused(415, f"Request bodies are JSON: send them as Content-Type {JSON_MEDIA_TYPE}, not {sent}.")
    malformed = 412 if scope["method"] in REJECTION_412_METHODS else 400
    try:
        document = json.loads(body, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except RecursionError:
        raise _refused(malformed, f"The request body nests JSON deeper than {MAX_DEPTH} levels.") from None
    except _TooLong as exc:
        raise _refused(malformed, str(exc)) from None
    except (ValueError, UnicodeDecodeError):
        return None, body  # Connexion's validation answers for malformed JSON, with its position
    if _depth(document) > MAX_DEPTH:
        raise _refused(malformed, f"The request body nests JSON deeper than {MAX_DEPTH} levels.")
    if scope["method"] != "PUT" or not isinstance(document, dict) or not any(key in document for key in READ_ONLY):
        return None, body
    metadata = document.get("metadata")
    cleaned = {key: value for key, value in document.items() if key not in READ_ONLY}
    return (metadata if isinstance(metadata, dict) else None), json.dumps(cleaned).encode()


class _TooLong(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _TooLong(f"The request body holds a number with {len(text.lstrip('-'))} digits; no SECA field "
                       f"takes more than {MAX_DIGITS}.")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_DIGITS + 16:
        raise _TooLong(f"The request body holds a number {len(text)} characters long; no SECA field takes one.")
    return float(text)


def _no_constant(text: str) -> float:
    raise _TooLong(f"The request body holds {text}, which is not a JSON number.")


def _depth(document: Any) -> int:
    """How deeply arrays and objects nest (iteratively: no recursion on hostile input)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            deepest = max(deepest, level)
            stack.extend((item, level + 1) for item in value.values())
        elif isinstance(value, list):
            deepest = max(deepest, level)
            stack.extend((item, level + 1) for item in value)
    return deepest
