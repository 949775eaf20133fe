"""Role-based access control on every request of a tenant: the subject's role assignments are read
(always current: a revoked role stops working on the next request) and decided by
:mod:`secapi_hetzner.authz`. A denial is 403 naming the missing permission, before the handler runs, so it
says nothing about whether the resource exists. For a list, the decision also says which items may be
seen (:func:`visible`)."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.app.context import current_principal, current_region
from secapi_hetzner.app.services import current
from secapi_hetzner.authz import Access, Decision, Rules, decide, target_of
from secapi_hetzner.scope import Api

_decision: contextvars.ContextVar[Decision | None] = contextvars.ContextVar("seca_access", default=None)


def rules_of(tenant: str) -> Rules:
    rows = current().db.all("access_rules", {"tenant": tenant})
    return Rules.from_specs(((r["name"], r["spec"]) for r in rows if r["kind"] == "role"),
                            (r["spec"] for r in rows if r["kind"] == "role-assignment"))


def authorise(api: Api, method: str, template: str, params: Mapping[str, Any]) -> contextvars.Token[Decision | None]:
    """Decide the request; 403 when no assignment of the caller grants it. Returns the token that
    :func:`done` resets once the handler has run."""
    tenant = str(params["tenant"])
    principal = current_principal()
    subject = principal.subject if principal is not None else ""
    verb, path = target_of(method, template, params)
    access = Access(api.provider, verb, path, tenant, current_region() if api.regional else "",
                    str(params.get("workspace") or ""))
    decision = decide(rules_of(tenant), subject, access, owner=tenant)
    if not decision.allowed:
        raise errors.Forbidden(f"Subject {subject!r} has no role assignment granting {verb!r} on {path!r} in "
                               f"{api.provider} here (tenant {tenant!r}"
                               f"{', workspace ' + repr(access.workspace) if access.workspace else ''}).")
    return _decision.set(decision)


def done(token: contextvars.Token[Decision | None]) -> None:
    _decision.reset(token)


def visible(name: str) -> bool:
    """May the caller see the list item ``name``? (Always, outside an authorised list.)"""
    decision = _decision.get()
    return decision is None or decision.sees(name)
