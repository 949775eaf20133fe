"""Regional endpoints: ``/regions/<region>/providers/seca.<api>/…`` serves ``<region>``.

SECA clients take each region's provider URLs from ``Region.spec.providers``; this service serves
every region itself, so the region travels as a path prefix that app/edge.py strips before
Connexion routes the request. The unprefixed ``/providers/seca.<api>`` serves the default region.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from secapi_hetzner.app.problems import Refused

PREFIX = re.compile(r"^/regions/(?P<region>[^/]+)(?P<rest>/providers/.*)$")


def route_region(path: str, default_region: str, known_regions: Callable[[], set[str]]) -> tuple[str, str]:
    """The region a request path serves and the path without its region prefix; 404 for a region not served
    here."""
    match = PREFIX.match(path)
    if not match:
        return default_region, path
    region = match.group("region")
    if region not in known_regions():
        raise Refused(404, f"Region {region!r} is not served here.")
    return region, match.group("rest")
