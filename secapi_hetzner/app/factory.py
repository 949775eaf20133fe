"""Build the ASGI application: one Connexion ``AsyncApp`` mounting every spec document."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import connexion
from connexion.exceptions import ProblemException
from connexion.options import SwaggerUIOptions
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from secapi_hetzner import errors, tracing
from secapi_hetzner.app import access, capabilities, health, problems
from secapi_hetzner.app.auth import PublicBearer, TokenRegistry, bearer_handler
from secapi_hetzner.app.edge import RequestEdge, ResponseEdge
from secapi_hetzner.app.json_body import FastJsonifier
from secapi_hetzner.app.jwt_auth import JwtVerifier
from secapi_hetzner.app.operations_once import OnceAsyncApi
from secapi_hetzner.app.prefix_routing import prefix_routed_middlewares
from secapi_hetzner.app.resolver import SecaResolver
from secapi_hetzner.app.services import Services, current, install
from secapi_hetzner.app.validation import VALIDATORS
from secapi_hetzner.hetzner import Gateway, Gateways, Priority, reserved
from secapi_hetzner.resources.catalog import Catalog, CatalogCache, server_type_for_sku
from secapi_hetzner.resources.registry import KINDS, kind_named
from secapi_hetzner.runner.drift import DriftReconciler
from secapi_hetzner.runner.worker import Worker
from secapi_hetzner.scope import APIS
from secapi_hetzner.services.reads import ResourceReads
from secapi_hetzner.services.resources import ResourceService
from secapi_hetzner.settings import Settings
from secapi_hetzner.store import Database
from secapi_hetzner.store.budget import PostgresBudget
from secapi_hetzner.store.credentials import Credentials, load_key
from secapi_hetzner.store.reads import AsyncReads
from secapi_hetzner.store.repository import Resource

#: The Hetzner "project" the built-in simulator serves the operator's catalog reads from.
SIMULATOR_TOKEN = "simulator-operator-token"


def build_services(settings: Settings, db: Database) -> Services:
    # one request budget per Hetzner project, in PostgreSQL: shared by every process and replica
    gateways = Gateways(endpoint=settings.hcloud_endpoint, timeout=settings.hetzner_timeout,
                        requests_per_hour=settings.hetzner_requests_per_hour,
                        budget_for=lambda project, per_hour: PostgresBudget(db, project, per_hour, reserved))
    # the catalog and readiness reads serve SECA clients: interactive, never starved by background work
    catalog_gateway = gateways.for_credential(settings.hcloud_token or SIMULATOR_TOKEN, Priority.INTERACTIVE)
    matrix = capabilities.build_matrix(settings.spec_dir)
    served = capabilities.served_providers(matrix)
    regional = [api for api in APIS if api.regional and api.provider in served]
    catalog = Catalog(CatalogCache(catalog_gateway, settings.catalog_ttl), default_region=settings.default_region,
                      base_url=settings.base_url, regional_apis=regional)
    credentials = Credentials(db, load_key(settings.secret_key, settings.data_dir),
                              operator_token=settings.hcloud_token, simulated=settings.uses_simulator)

    def gateway_for(resource: Resource) -> Gateway:
        return gateways.for_credential(credentials.token_for(resource.key.tenant, resource.key.workspace))

    def architecture_of(server_type: str) -> str:
        types = {st.name: st.architecture for st in catalog.cache.get().server_types}
        return types.get(server_type, "x86")

    def resolve_sku(region: str, sku: str) -> str | None:
        found = server_type_for_sku(catalog.cache.get(), region, sku)
        return found.name if found is not None else None

    worker = Worker(db, kind_named, gateway_for, timings=settings.timings, architecture_of=architecture_of,
                    resolve_sku=resolve_sku)
    tokens = TokenRegistry(db, settings.tokens_file, jwt=JwtVerifier(settings.jwt) if settings.jwt else None)
    return Services(settings=settings, db=db, tokens=tokens,
                    gateways=gateways, catalog_gateway=catalog_gateway, catalog=catalog, capabilities=matrix,
                    resource_service=ResourceService(db, catalog, on_enqueue=worker.wake,
                                                     on_change=access.rules_changed), worker=worker,
                    credentials=credentials, reads=ResourceReads(AsyncReads(db)),
                    drift=DriftReconciler(db, gateway_for, list(KINDS.values()), every=settings.timings.resync_every))


def _known_regions() -> set[str]:
    try:
        return {view.name for view in current().catalog.region_views()}
    except errors.Unavailable:
        return set()


def create_app(settings: Settings, db: Database | None = None) -> ASGIApp:
    """The whole service as one ASGI app. ``db`` defaults to a pool on ``settings.database_url``."""
    database = db or Database(settings.database_url)
    tracing.configure()
    install(build_services(settings, database))

    services = current()

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        thread = services.worker.start_thread(services.drift.run_due) \
            if settings.inprocess_worker else None
        await services.reads.reads.open()  # the read pool belongs to the serving loop
        yield
        await services.reads.reads.close()
        if thread is not None:
            services.worker.stop()
            thread.join(timeout=10)
        if db is None:
            database.close()

    app = connexion.AsyncApp(__name__, lifespan=lifespan, jsonifier=FastJsonifier(),
                             middlewares=prefix_routed_middlewares())
    app._middleware_app.api_cls = OnceAsyncApi  # noqa: SLF001 - see app/operations_once.py
    bearer = bearer_handler(lambda: current().tokens)
    app.add_url_rule("/healthz", "healthz", health.healthz, methods=["GET"])
    app.add_url_rule("/readyz", "readyz", health.readyz, methods=["GET"])
    # wellknown is mounted at the root, so it goes last: its mount would shadow everything after it.
    for api in sorted(APIS, key=lambda item: item.slug == "wellknown"):
        app.add_api(
            settings.spec_dir / api.document,
            base_path=api.base_path if api.slug != "wellknown" else "",
            name=api.name,
            resolver=SecaResolver(api, capabilities.reason_for),
            pythonic_params=True,
            strict_validation=True,
            validate_responses=settings.validate_responses,
            security_map={"bearer": PublicBearer if api.slug == "wellknown" else bearer},
            swagger_ui_options=SwaggerUIOptions(swagger_ui=settings.swagger_ui),
            validator_map=VALIDATORS,
        )
    app.add_error_handler(errors.SecaError, problems.handle_seca_error)
    on_problem = problems.problem_handler(capabilities.route_matcher(services.capabilities))
    app.add_error_handler(ProblemException, on_problem)
    app.add_error_handler(HTTPException, on_problem)
    app.add_error_handler(UnicodeDecodeError, problems.handle_unicode_error)
    app.add_error_handler(Exception, problems.handle_unexpected)
    inner = RequestEdge(app, default_region=settings.default_region, known_regions=_known_regions)
    return ResponseEdge(inner)
