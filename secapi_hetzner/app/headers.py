"""Response headers every answer carries: security headers suited to a JSON API, and the challenge a
401 owes its client (RFC 6750: ``WWW-Authenticate: Bearer``). Redirects (Swagger UI's ``/ui`` → ``/ui/``)
point at a path, never at a host taken from the request's ``Host`` header (an attacker's, possibly).

The API's answers may not be cached, sniffed, framed or used to leak a referrer; they run no scripts,
so the Content-Security-Policy allows nothing. Swagger UI pages (``…/ui/``) run scripts and styles of
their own origin and are left their own policy.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.types import Message

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
API_ONLY: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
)
CHALLENGE = (b"www-authenticate", b'Bearer realm="secapi", error="invalid_token"')


def secured(start: Message, *, ui: bool) -> Message:
    """An answer's ``http.response.start`` with the headers every answer carries (``ui``: a Swagger UI page,
    which keeps its own policy), no ``Server`` header, and a ``Location`` that names no host."""
    headers = [(n, _relative(v) if n.lower() == b"location" else v)
               for n, v in start.get("headers", []) if n.lower() != b"server"]
    present = {n.lower() for n, _ in headers}
    extra = [*SECURITY_HEADERS, *(() if ui else API_ONLY)]
    if start["status"] == 401:
        extra.append(CHALLENGE)
    headers.extend((n, v) for n, v in extra if n not in present)
    return {**start, "headers": headers}


def _relative(location: bytes) -> bytes:
    """``http://any.host/path?q`` → ``/path?q`` (RFC 7231 allows relative references in Location)."""
    parts = urlsplit(location.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return location
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)).encode("latin-1")
