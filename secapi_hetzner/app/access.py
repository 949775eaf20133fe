"""Role-based access control on every request of a tenant: the subject's role assignments are read
(always current: a revoked role stops working on the next request) and decided by
:mod:`secapi_hetzner.authz`. A denial is 403 naming the missing permission, before the handler runs, so it
says nothing about whether the resource exists. For a list, the decision also says which items may be
seen (:func:`visible`)."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Mapping
from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.app.context import current_principal, current_region
from secapi_hetzner.app.services import current
from secapi_hetzner.authz import Access, Decision, Rules, decide, target_of
from secapi_hetzner.scope import Api

_decision: contextvars.ContextVar[Decision | None] = contextvars.ContextVar("seca_access", default=None)


#: how long a process decides with a tenant's rules before reading them again; a change made through this
#: process is seen at once, one made through another replica within this time
RULES_FRESH_SECONDS = 1.0
RULE_KINDS = frozenset({"role", "role-assignment"})
#: keyed by (database, tenant): two services in one process (tests) never share rules
_rules: dict[tuple[str, str], tuple[float, Rules]] = {}
_changes: dict[tuple[str, str], int] = {}
_lock = threading.Lock()


def rules_changed(kind: str, tenant: str) -> None:
    """A resource was written: when it was a role or an assignment, the tenant's cached rules go."""
    if kind in RULE_KINDS:
        key = (current().db.url, tenant)
        with _lock:
            _rules.pop(key, None)
            _changes[key] = _changes.get(key, 0) + 1


def fresh_rules(tenant: str) -> Rules | None:
    """The tenant's rules if this process read them less than a second ago (no query: safe on the event
    loop), else None."""
    with _lock:
        cached = _rules.get((current().db.url, tenant))
    return cached[1] if cached is not None and time.monotonic() - cached[0] < RULES_FRESH_SECONDS else None


def rules_of(tenant: str) -> Rules:
    """The tenant's roles and assignments, read at most once a second per process (one query)."""
    cached = fresh_rules(tenant)
    if cached is not None:
        return cached
    started = time.monotonic()
    db = current().db
    key = (db.url, tenant)
    with _lock:  # a change made through this process from now on keeps what the query reads from the cache
        seen = _changes.get(key, 0)
    rows = db.all("access_rules", {"tenant": tenant})
    rules = Rules.from_specs(((r["name"], r["spec"]) for r in rows if r["kind"] == "role"),
                             (r["spec"] for r in rows if r["kind"] == "role-assignment"))
    with _lock:
        if _changes.get(key, 0) == seen:  # no change was made here meanwhile: these rules are current
            _rules[key] = (started, rules)
    return rules


def authorise(api: Api, method: str, template: str, params: Mapping[str, Any],
              rules: Rules | None = None) -> contextvars.Token[Decision | None]:
    """Decide the request (with ``rules`` when the caller has them, else the tenant's, maybe read now); 403
    when no assignment of the caller grants it. Returns the token that :func:`done` resets once the handler
    has run."""
    tenant = str(params["tenant"])
    principal = current_principal()
    subject = principal.subject if principal is not None else ""
    verb, path = target_of(method, template, params)
    access = Access(api.provider, verb, path, tenant, current_region() if api.regional else "",
                    str(params.get("workspace") or ""))
    decision = decide(rules if rules is not None else rules_of(tenant), subject, access, owner=tenant)
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
