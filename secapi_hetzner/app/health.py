"""``/healthz`` (the process serves) and ``/readyz`` (database and Hetzner reachable).

A probe costs no Hetzner request: the Hetzner check is the last outcome of a ping that is refreshed in
the background at most once every :data:`HETZNER_CHECK_SECONDS` (the first probe of a process waits
for the first ping). The database is checked on every probe (a local round trip).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from secapi_hetzner import errors
from secapi_hetzner.app.services import current
from secapi_hetzner.hetzner import Gateway, HetznerError

#: the most often readiness probes make Hetzner calls (one ping per process per period)
HETZNER_CHECK_SECONDS = 60.0


class HetznerCheck:
    """The cached outcome of ``ping``: ``"ok"`` or ``"unreachable (<code>)"``, refreshed in the background."""

    def __init__(self, ping: Callable[[], None], every: float = HETZNER_CHECK_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ping = ping
        self._every = every
        self._clock = clock
        self._outcome: str | None = None
        self._checked_at = 0.0
        self._refreshing = False
        self._lock = threading.Lock()
        self._first = threading.Lock()

    def outcome(self) -> str:
        with self._lock:
            outcome = self._outcome
            stale = outcome is not None and self._clock() - self._checked_at >= self._every
            if stale and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh, name="readyz-hetzner", daemon=True).start()
        if outcome is not None:
            return outcome
        with self._first:  # concurrent first probes share one ping
            if self._outcome is None:
                with self._lock:
                    self._refreshing = True
                self._refresh()
            assert self._outcome is not None
            return self._outcome

    def _refresh(self) -> None:
        try:
            self._ping()
            outcome = "ok"
        except HetznerError as exc:
            outcome = f"unreachable ({exc.code})"
        except Exception:  # anything else (the database under the budget, say): not ready, keep probing
            outcome = "unreachable (error)"
        with self._lock:
            self._outcome = outcome
            self._checked_at = self._clock()
            self._refreshing = False


_checks: weakref.WeakKeyDictionary[Gateway, HetznerCheck] = weakref.WeakKeyDictionary()
_checks_lock = threading.Lock()


def hetzner_check(gateway: Gateway) -> HetznerCheck:
    with _checks_lock:
        check = _checks.get(gateway)
        if check is None:
            ref = weakref.ref(gateway)  # the check must not keep its gateway alive

            def ping() -> None:
                alive = ref()
                if alive is not None:
                    alive.ping()

            check = _checks[gateway] = HetznerCheck(ping)
        return check


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def _readiness() -> tuple[dict[str, str], bool]:
    services = current()
    checks = {"database": "ok" if services.db.ping() else "unreachable"}
    checks["hetzner"] = hetzner_check(services.catalog_gateway).outcome()
    checks["backend"] = "simulator" if services.settings.uses_simulator else "hetzner"
    ready = checks["database"] == "ok" and checks["hetzner"] == "ok"
    return checks, ready


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _may_see_checks(request: Request) -> bool:
    """The checks name the backend and Hetzner's last answer: for the machine itself (a local probe, a
    sidecar) and for callers with a valid API token only; everyone else learns ready or not ready."""
    if request.client is not None and request.client.host in LOOPBACK:
        return True
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    try:
        return current().tokens.tenant_for(token.strip()) is not None
    except errors.SecaError:
        return False


async def readyz(request: Request) -> JSONResponse:
    checks, ready = await run_in_threadpool(_readiness)
    body: dict[str, object] = {"status": "ready" if ready else "not ready"}
    if await run_in_threadpool(_may_see_checks, request):
        body["checks"] = checks
    return JSONResponse(body, status_code=200 if ready else 503)
