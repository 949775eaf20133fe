"""Regional endpoints: ``/regions/<region>/providers/seca.<api>/…`` serves ``<region>``.

SECA clients take each region's provider URLs from ``Region.spec.providers``; this service serves
every region itself, so the region travels as a path prefix that this middleware strips before
Connexion routes the request. The unprefixed ``/providers/seca.<api>`` serves the default region.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from secapi_hetzner.app.context import reset_region, set_region
from secapi_hetzner.app.problems import error_body

PREFIX = re.compile(r"^/regions/(?P<region>[^/]+)(?P<rest>/providers/.*)$")


class RegionPrefixMiddleware:
    def __init__(self, app: ASGIApp, *, default_region: str, known_regions: Callable[[], set[str]]) -> None:
        self.app = app
        self.default_region = default_region
        self.known_regions = known_regions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        region = self.default_region
        match = PREFIX.match(scope["path"])
        if match:
            region = match.group("region")
            if region not in self.known_regions():
                await _not_found(scope, send, region)
                return
            rest = match.group("rest")
            scope = {**scope, "path": rest, "raw_path": rest.encode()}
        token = set_region(region)
        try:
            await self.app(scope, receive, send)
        finally:
            reset_region(token)


async def _not_found(scope: Scope, send: Send, region: str) -> None:
    body = json.dumps(error_body(404, f"Region {region!r} is not served here.", instance=scope["path"]))
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body.encode()})
