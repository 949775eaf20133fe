"""Role-based access control on every request of a tenant: the subject's role assignments (at most a
second old: a change made through this process counts from the next request, one made through another
replica within the second; :mod:`secapi_hetzner.app.tenant_rules`) are decided by
:mod:`secapi_hetzner.authz`. A denial is 403 naming the missing permission, before the handler runs, so it
says nothing about whether the resource exists. For a list, the decision also says which items may be
seen (:func:`visibility`)."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool

from secapi_hetzner import errors
from secapi_hetzner.app.context import current_principal, current_region
from secapi_hetzner.app.services import current
from secapi_hetzner.app.tenant_rules import TenantRules
from secapi_hetzner.authz import Access, Decision, Rules, decide, target_of
from secapi_hetzner.scope import Api

_decision: contextvars.ContextVar[Decision | None] = contextvars.ContextVar("seca_access", default=None)


RULE_KINDS = frozenset({"role", "role-assignment"})
#: each tenant's rules as this process read them (app/tenant_rules.py), keyed by (database, tenant): two
#: services in one process (tests) never share rules
_rules = TenantRules()


def rules_changed(kind: str, tenant: str) -> None:
    """A resource was written: when it was a role or an assignment, the tenant's kept rules go."""
    if kind in RULE_KINDS:
        _rules.changed((current().db.url, tenant))


def rules_of(tenant: str) -> Rules:
    """The tenant's roles and assignments, read at most once a second per process (one query, in this
    thread)."""
    db = current().db
    return _rules.read((db.url, tenant), lambda: db.all("access_rules", {"tenant": tenant}))


async def rules_on_loop(tenant: str) -> Rules:
    """The tenant's rules for a read on the event loop (one query at a time per tenant, on the read pool, or
    in a worker thread when this loop has none), renewed before they are a second old."""
    services = current()
    db, reads = services.db, services.reads.reads

    async def rows() -> list[dict[str, Any]]:
        if reads.usable():
            return await reads.all("access_rules", {"tenant": tenant})
        return await run_in_threadpool(db.all, "access_rules", {"tenant": tenant})

    return await _rules.read_on_loop((db.url, tenant), rows)


class DecisionMemo:
    """Decisions already made with one tenant's rules, by request (subject, API, method, route, region and
    parameters). A tenant's rules are replaced when read again, never changed, so a decision stays right for
    as long as its rules are used; the memo goes with them. Bounded per rules, and in how many rules it
    keeps memos for."""

    PER_RULES = 1024
    RULES = 256

    def __init__(self) -> None:
        self._memos: dict[int, tuple[Rules, dict[tuple[Any, ...], Decision]]] = {}
        self._lock = threading.Lock()

    def of(self, rules: Rules) -> dict[tuple[Any, ...], Decision]:
        with self._lock:
            entry = self._memos.get(id(rules))
            if entry is None or entry[0] is not rules:  # (the rules are kept: their id is not reused meanwhile)
                if len(self._memos) >= self.RULES:
                    self._memos.clear()
                entry = self._memos[id(rules)] = (rules, {})
            return entry[1]

    def decided(self, rules: Rules, key: tuple[Any, ...], deciding: Callable[[], Decision]) -> Decision:
        """The decision for ``key`` with ``rules``: remembered, or made by ``deciding`` (always, for a key that
        cannot be hashed: a request with a body)."""
        memo = self.of(rules)
        try:
            found = memo.get(key)
        except TypeError:
            return deciding()
        if found is None:
            found = deciding()
            if len(memo) >= self.PER_RULES:
                memo.clear()
            memo[key] = found
        return found


_memo = DecisionMemo()


def _request_key(subject: str, api: Api, method: str, template: str, region: str,
                 params: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a decision depends on (not hashable when a parameter is not: a request body)."""
    return (subject, api.provider, method, template, region, *params.items())


def authorise(api: Api, method: str, template: str, params: Mapping[str, Any],
              rules: Rules | None = None) -> contextvars.Token[Decision | None]:
    """Decide the request (with ``rules`` when the caller has them, else the tenant's, maybe read now); 403
    when no assignment of the caller grants it. Returns the token that :func:`done` resets once the handler
    has run."""
    tenant = str(params["tenant"])
    principal = current_principal()
    subject = principal.subject if principal is not None else ""
    region = current_region() if api.regional else ""
    decided_with = rules if rules is not None else rules_of(tenant)

    def access_of() -> Access:
        verb, path = target_of(method, template, params)
        return Access(api.provider, verb, path, tenant, region, str(params.get("workspace") or ""))

    decision = _memo.decided(decided_with, _request_key(subject, api, method, template, region, params),
                             lambda: decide(decided_with, subject, access_of(), owner=tenant))
    if not decision.allowed:
        access = access_of()
        raise errors.Forbidden(f"Subject {subject!r} has no role assignment granting {access.verb!r} on "
                               f"{access.path!r} in {api.provider} here (tenant {tenant!r}"
                               f"{', workspace ' + repr(access.workspace) if access.workspace else ''}).")
    return _decision.set(decision)


def done(token: contextvars.Token[Decision | None]) -> None:
    _decision.reset(token)


def visibility() -> Callable[[str], bool] | None:
    """Which items of the list being read the caller may see: None when all of them (outside an authorised
    list, or a decision that limits nothing), else a test of an item's name."""
    decision = _decision.get()
    return None if decision is None or decision.visible_names is None else decision.sees
