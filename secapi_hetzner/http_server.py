"""The HTTP server under gunicorn: uvicorn's worker with the limits a public JSON API needs, set in
:mod:`secapi_hetzner.app.protocol` (heads of at most 64 KiB and 100 fields, complete within
``SECA_HEAD_TIMEOUT`` seconds, keep-alive 75 s, no ``Server`` header); gunicorn's own ``limit_request_*``
settings do not reach uvicorn workers.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker

from secapi_hetzner.app.protocol import HEAD_TIMEOUT_SECONDS, uvicorn_options

HEAD_TIMEOUT = float(os.environ.get("SECA_HEAD_TIMEOUT") or HEAD_TIMEOUT_SECONDS)
#: the request parser: httptools (default) or h11
HTTP_PARSER = os.environ.get("SECA_HTTP_PARSER") or "httptools"


class SecaUvicornWorker(UvicornWorker):  # type: ignore[misc]
    """uvloop's event loop and httptools' parser: together about 1.5x the catalog reads a second of
    asyncio's loop with h11 (measured with one worker, as bench/reads.py loads it)."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "uvloop",
                                               **uvicorn_options(head_timeout=HEAD_TIMEOUT, parser=HTTP_PARSER)}
