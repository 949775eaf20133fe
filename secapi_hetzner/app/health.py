"""``/healthz`` (the process serves) and ``/readyz`` (database and Hetzner reachable)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from secapi_hetzner.app.services import current
from secapi_hetzner.hetzner import HetznerError


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def _readiness() -> tuple[dict[str, str], bool]:
    services = current()
    checks = {"database": "ok" if services.db.ping() else "unreachable"}
    try:
        services.catalog_gateway.ping()
        checks["hetzner"] = "ok"
    except HetznerError as exc:
        checks["hetzner"] = f"unreachable ({exc.code})"
    checks["backend"] = "simulator" if services.settings.uses_simulator else "hetzner"
    ready = checks["database"] == "ok" and checks["hetzner"] == "ok"
    return checks, ready


async def readyz(request: Request) -> JSONResponse:
    checks, ready = await run_in_threadpool(_readiness)
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)
