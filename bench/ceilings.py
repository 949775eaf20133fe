"""The two ceilings bench/reads.py measures the service against, serving the same bytes (the service's SKU
list, from the file ``BENCH_BODY_FILE``): a bare Starlette route, and a minimal Connexion AsyncApp with one
operation and the service's validation settings. Run by gunicorn with uvicorn workers, as the service is."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import connexion
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ.get("BENCH_BODY_FILE", "/dev/null")).read_bytes()
SPEC = """
openapi: 3.0.3
info: {title: ceiling, version: "1"}
paths:
  /skus:
    get:
      operationId: bench.ceilings.skus
      parameters:
        - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 1000}}
      responses:
        "200": {description: the SKU list, content: {application/json: {schema: {type: object}}}}
"""


async def _bare(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


starlette_app = Starlette(routes=[Route("/skus", _bare)])


async def skus(limit: int | None = None) -> connexion.lifecycle.ConnexionResponse:
    return connexion.lifecycle.ConnexionResponse(status_code=200, body=BODY, content_type="application/json")


def _connexion_app() -> connexion.AsyncApp:
    app = connexion.AsyncApp(__name__)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        handle.write(SPEC)
    app.add_api(handle.name, strict_validation=True, validate_responses=False, pythonic_params=True)
    return app


connexion_app = _connexion_app()
