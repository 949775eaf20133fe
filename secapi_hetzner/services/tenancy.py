"""A tenant's first administrator: the ``admin`` role (every verb on every resource of every API) and the
``admin`` role assignment naming the subject, written like any role and assignment (they show in the
Authorization API, and an administrator may change or delete them like any other)."""

from __future__ import annotations

from typing import Any, NoReturn, cast

from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.role import ROLE
from secapi_hetzner.resources.role.model import PROVIDERS
from secapi_hetzner.resources.role_assignment import ROLE_ASSIGNMENT
from secapi_hetzner.services.resources import Place, ResourceService
from secapi_hetzner.store import Database
from secapi_hetzner.store.repository import Key

ADMIN = "admin"
ADMIN_ROLE: dict[str, Any] = {
    "labels": {"secapi.cloud/bootstrap": "true"},
    "spec": {"permissions": [{"provider": provider, "resources": ["*"],
                              "verb": ["get", "list", "put", "delete", "post"]} for provider in sorted(PROVIDERS)]},
}


def bootstrap_admin(service: ResourceService, tenant: str, subject: str) -> None:
    """Make ``subject`` an administrator of ``tenant`` (idempotent): the ``admin`` role is (re)written with
    every permission, and ``subject`` is added to the ``admin`` assignment's subjects."""
    place = Place(tenant)
    service.apply(ROLE, place, ADMIN, ADMIN_ROLE, None)
    current = service.repository.get(Key(tenant, "", "", ROLE_ASSIGNMENT.kind, ADMIN))
    subs: list[str] = []
    if current is not None and current.deleted_at is None:
        subs = [str(s) for s in current.spec.get("subs") or []]
    if subject not in subs:
        subs.append(subject)
    body = {"labels": {"secapi.cloud/bootstrap": "true"},
            "spec": {"roles": [ADMIN], "subs": subs, "scopes": [{"tenants": [tenant]}]}}
    service.apply(ROLE_ASSIGNMENT, place, ADMIN, body, None)


class _NoCatalog:
    """Offline administration (the CLI, ``make run`` before the server starts) has no Hetzner catalog; the
    admin role and assignment need none."""

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(f"the Hetzner catalog ({name}) is not available to offline administration")


def offline_service(db: Database) -> ResourceService:
    """A resource service for tenant administration outside a running server."""
    return ResourceService(db, cast(Catalog, _NoCatalog()))
