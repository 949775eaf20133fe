"""Configuration, read once from the environment.

Every default lives here, named, so that timeouts, budgets and page sizes are written once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_REGION = "eu-central"
DEFAULT_TENANT = "dev"
#: the real Hetzner Cloud API's host (hcloud's default endpoint)
HETZNER_API_HOST = "api.hetzner.cloud"
HETZNER_TIMEOUT_SECONDS = 15.0
HETZNER_REQUESTS_PER_HOUR = 3600
CATALOG_TTL_SECONDS = 300.0
TOKEN_CACHE_REFRESH_SECONDS = 1.0
DB_POOL_MIN = 1
DB_POOL_MAX = 10
DB_TIMEOUT_SECONDS = 10.0
LIST_DEFAULT_LIMIT = 1000
RETRY_BASE_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 60.0
ACTION_POLL_SECONDS = 0.5
WORKER_STALE_AFTER_SECONDS = 30.0
RESYNC_SECONDS = 60.0


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


@dataclass(frozen=True)
class EngineTimings:
    """The timings the runner and the kinds' steps work with (one object, passed down)."""

    retry_base: float = RETRY_BASE_SECONDS
    shutdown_grace: float = SHUTDOWN_GRACE_SECONDS
    action_poll: float = ACTION_POLL_SECONDS
    stale_after: float = WORKER_STALE_AFTER_SECONDS
    resync_every: float = RESYNC_SECONDS
    #: multiplies the first guesses of how long Hetzner actions take (learnt from then on)
    action_time_scale: float = 1.0


@dataclass(frozen=True)
class JwtSettings:
    """Bearer JWTs: keys from a file (a JWKS document or PEM public keys, re-read when it changes) and/or a
    JWKS URL; ``iss`` and ``aud`` must match; the tenant is the ``tenant_claim`` claim, the subject ``sub``."""

    issuer: str
    audience: str
    keys_file: Path | None = None
    jwks_url: str = ""
    tenant_claim: str = "tenant"
    leeway: float = 30.0  # seconds of clock skew accepted on exp/nbf/iat

    @classmethod
    def from_env(cls) -> JwtSettings | None:
        keys, url = _env("SECA_JWT_KEYS"), _env("SECA_JWT_JWKS_URL")
        if not keys and not url:
            return None
        issuer, audience = _env("SECA_JWT_ISSUER"), _env("SECA_JWT_AUDIENCE")
        if not issuer or not audience:
            raise ValueError("SECA_JWT_ISSUER and SECA_JWT_AUDIENCE are required with SECA_JWT_KEYS or "
                             "SECA_JWT_JWKS_URL: a token is only trusted for this issuer and audience")
        return cls(issuer=issuer, audience=audience, keys_file=Path(keys) if keys else None, jwks_url=url,
                   tenant_claim=_env("SECA_JWT_TENANT_CLAIM") or "tenant",
                   leeway=float(_env("SECA_JWT_LEEWAY") or 30.0))


@dataclass(frozen=True)
class Settings:
    """The service's configuration. Secrets are kept out of ``repr``."""

    spec_dir: Path
    data_dir: Path
    database_url: str = field(default="", repr=False)
    hcloud_token: str = field(default="", repr=False)
    hcloud_endpoint: str = ""
    public_base_url: str = ""
    default_region: str = DEFAULT_REGION
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    tokens_file: Path | None = None
    #: bearer JWTs besides the opaque tokens (None: opaque tokens only)
    jwt: JwtSettings | None = None
    validate_responses: bool = False
    #: Swagger UI under each API's ``/ui/`` (the spec documents stay at ``/openapi.json``)
    swagger_ui: bool = True
    hetzner_timeout: float = HETZNER_TIMEOUT_SECONDS
    hetzner_requests_per_hour: int = HETZNER_REQUESTS_PER_HOUR
    catalog_ttl: float = CATALOG_TTL_SECONDS
    secret_key: str = field(default="", repr=False)
    inprocess_worker: bool = True
    #: Prometheus ``/metrics`` on its own port (0: off) and address (never the public API port)
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    #: ``serve``/``worker`` apply the migrations first (off when a Kubernetes Job runs ``migrate``)
    migrate: bool = True
    #: how the runner paces its work (retries, polls, the drift check); one object, passed down as is
    timings: EngineTimings = field(default_factory=EngineTimings)

    @property
    def uses_simulator(self) -> bool:
        """True when no Hetzner token is configured: the built-in simulator stands in."""
        return not self.hcloud_token

    def hetzner_backend_problem(self, *, builtin_simulator: bool = False) -> str | None:
        """Why this process must not start, or None: without ``HCLOUD_TOKEN`` it would send simulated
        project names as tokens to the real Hetzner API. A tenant's own Hetzner token does not make up for
        it: the catalog (locations, server types, images) is read with the operator's project, and tenants
        without a project of their own use it. ``builtin_simulator``: ``serve --dev`` starts one."""
        if self.hcloud_token:
            return None
        if self.hcloud_endpoint and urlparse(self.hcloud_endpoint).hostname == HETZNER_API_HOST:
            return (f"HCLOUD_ENDPOINT is the real Hetzner API ({HETZNER_API_HOST}) but HCLOUD_TOKEN is not set: "
                    "set the operator's Hetzner Cloud project token")
        if not self.hcloud_endpoint and not builtin_simulator:
            return ("no Hetzner backend: set HCLOUD_TOKEN (the operator's Hetzner Cloud project) or "
                    "HCLOUD_ENDPOINT (a Hetzner simulator); `serve --dev` runs the built-in simulator")
        return None

    @property
    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls) -> Settings:
        spec_dir = Path(_env("SECA_SPEC_DIR") or PROJECT_ROOT / "spec")
        data_dir = Path(_env("SECA_DATA_DIR") or PROJECT_ROOT / ".data")
        tokens_file = _env("SECA_TOKENS_FILE")
        return cls(
            spec_dir=spec_dir,
            data_dir=data_dir,
            database_url=_env("DATABASE_URL"),
            hcloud_token=_env("HCLOUD_TOKEN"),
            hcloud_endpoint=_env("HCLOUD_ENDPOINT"),
            public_base_url=_env("SECA_PUBLIC_URL").rstrip("/"),
            default_region=_env("SECA_DEFAULT_REGION") or DEFAULT_REGION,
            host=_env("HOST") or DEFAULT_HOST,
            port=int(_env("PORT") or DEFAULT_PORT),
            tokens_file=Path(tokens_file) if tokens_file else None,
            jwt=JwtSettings.from_env(),
            validate_responses=_env("SECA_VALIDATE_RESPONSES") in ("1", "true", "yes"),
            swagger_ui=_env("SECA_SWAGGER_UI") not in ("0", "false", "no"),
            hetzner_timeout=float(_env("HCLOUD_TIMEOUT") or HETZNER_TIMEOUT_SECONDS),
            hetzner_requests_per_hour=int(_env("HCLOUD_REQUESTS_PER_HOUR") or HETZNER_REQUESTS_PER_HOUR),
            catalog_ttl=float(_env("SECA_CATALOG_TTL") or CATALOG_TTL_SECONDS),
            secret_key=_env("SECA_SECRET_KEY"),
            inprocess_worker=_env("SECA_INPROCESS_WORKER", "1") not in ("0", "false", "no"),
            metrics_port=int(_env("SECA_METRICS_PORT") or 0),
            metrics_host=_env("SECA_METRICS_HOST") or "127.0.0.1",
            migrate=_env("SECA_MIGRATE", "1") not in ("0", "false", "no"),
            timings=EngineTimings(
                retry_base=float(_env("SECA_RETRY_BASE") or RETRY_BASE_SECONDS),
                shutdown_grace=float(_env("SECA_SHUTDOWN_GRACE") or SHUTDOWN_GRACE_SECONDS),
                action_poll=float(_env("SECA_ACTION_POLL") or ACTION_POLL_SECONDS),
                stale_after=float(_env("SECA_WORKER_STALE_AFTER") or WORKER_STALE_AFTER_SECONDS),
                resync_every=float(_env("SECA_RESYNC_SECONDS") or RESYNC_SECONDS),
                action_time_scale=float(_env("SECA_ACTION_TIME_SCALE") or 1.0),
            ),
        )
