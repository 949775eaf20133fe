"""Role-based access control on every request of a tenant: the subject's role assignments are read
(always current: a revoked role stops working on the next request) and decided by
:mod:`secapi_hetzner.authz`. A denial is 403 naming the missing permission, before the handler runs, so it
says nothing about whether the resource exists. For a list, the decision also says which items may be
seen (:func:`visible`)."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Mapping
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


def visible(name: str) -> bool:
    """May the caller see the list item ``name``? (Always, outside an authorised list.)"""
    decision = _decision.get()
    return decision is None or decision.sees(name)
