"""The process-wide service objects handlers reach through :func:`current`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from secapi_hetzner.app.auth import TokenRegistry
from secapi_hetzner.app.rendered import RenderedAnswers
from secapi_hetzner.hetzner import Gateway, Gateways
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.runner.drift import DriftReconciler
from secapi_hetzner.runner.worker import Worker
from secapi_hetzner.services.reads import ResourceReads
from secapi_hetzner.services.resources import ResourceService
from secapi_hetzner.settings import Settings
from secapi_hetzner.store import Database
from secapi_hetzner.store.credentials import Credentials

if TYPE_CHECKING:  # the capability matrix imports the resolver, which reads the services
    from secapi_hetzner.app.capabilities import Capability


@dataclass
class Services:
    settings: Settings
    db: Database
    tokens: TokenRegistry
    gateways: Gateways
    catalog_gateway: Gateway
    catalog: Catalog
    capabilities: list[Capability]
    resource_service: ResourceService
    worker: Worker
    drift: DriftReconciler
    credentials: Credentials
    #: resource GETs and lists on the event loop (handlers/_resources.py)
    reads: ResourceReads
    #: catalog answers as bytes, per catalog snapshot (handlers/_catalog.py)
    answers: RenderedAnswers = field(default_factory=RenderedAnswers)


_current: Services | None = None


def install(services: Services) -> None:
    global _current
    _current = services


def current() -> Services:
    if _current is None:
        raise RuntimeError("the service objects are not installed (create_app was not called)")
    return _current
