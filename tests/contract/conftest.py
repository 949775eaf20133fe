"""The running service under Schemathesis (shared by the stateless and stateful runs)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from starlette.types import ASGIApp

from secapi_hetzner.app import create_app
from secapi_hetzner.scope import APIS
from secapi_hetzner.store import Database
from tests.conftest import OWN_SPEC, UPSTREAM_SPEC_PARAM, admin_token, make_settings

#: ``make test`` fuzzes with fixed examples (a red CI run must be reproducible, never a coin toss);
#: ``make fuzz`` sets SECA_FUZZ_RANDOM=1 to explore new ones. Every failure it finds becomes a regression test.
RANDOM = os.environ.get("SECA_FUZZ_RANDOM", "") in ("1", "true", "yes")


def fuzz_settings(**values: Any) -> settings:
    return settings(derandomize=not RANDOM, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck), **values)


@dataclass
class FuzzTarget:
    app: ASGIApp
    token: str
    schemas: dict[str, Any]


@pytest.fixture(scope="module", params=[pytest.param(OWN_SPEC, id="own-spec"), UPSTREAM_SPEC_PARAM])
def target(request: pytest.FixtureRequest, databases: Any, simulator_session: Any) -> Iterator[FuzzTarget]:
    """The service booted on the project's spec/ and, as a spec upgrade would, on the upstream bundles."""
    url = databases.fresh()
    # every connection opened before fuzzing: a pool that grows during a run draws its connections' expiry
    # jitter from the global `random`, which Hypothesis reports as a strategy using random (a flaky failure)
    db = Database(url, min_size=4, max_size=4)
    db.pool.wait(timeout=30)
    app = create_app(make_settings(request.param, url, simulator_session), db=db)
    token = admin_token(label="fuzz")
    schemas = {api.slug: schemathesis.openapi.from_asgi(f"{api.base_path.rstrip('/')}/openapi.json", app)
               for api in APIS}
    yield FuzzTarget(app, token, schemas)
    db.close()


