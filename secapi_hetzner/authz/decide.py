"""Decide a request against a tenant's roles and role assignments. Pure.

A request is an :class:`Access`: the API (``seca.compute/v1``), the verb (``get``, ``list``, ``put``,
``delete``, ``post.<action>``), the resource path inside the API (``instances/web-1``, or the collection
``instances`` for a list), and where it happens (tenant, region, workspace). It is allowed when an
assignment that names the subject (or ``*``) and has a scope covering the place grants, through one of
its roles, a permission of that API whose verbs include the verb (``post`` covers every action) and
whose resources match the path (docs/authorization.md has examples, docs/compatibility.md the rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.resources.role.model import RoleSpec
from secapi_hetzner.resources.role_assignment.model import RoleAssignmentSpec, Scope


@dataclass(frozen=True)
class Access:
    provider: str
    verb: str
    path: str
    tenant: str
    region: str = ""      # "" for the global APIs
    workspace: str = ""   # "" outside workspaces

    @property
    def collection(self) -> str:
        return self.path.split("/")[0] if self.verb == "list" else ""


@dataclass(frozen=True)
class Rules:
    """A tenant's roles (name → spec) and assignments, as stored."""

    roles: Mapping[str, RoleSpec]
    assignments: tuple[RoleAssignmentSpec, ...]

    @classmethod
    def from_specs(cls, roles: Iterable[tuple[str, Mapping[str, Any]]],
                   assignments: Iterable[Mapping[str, Any]]) -> Rules:
        parsed: dict[str, RoleSpec] = {}
        for name, spec in roles:
            try:
                parsed[name] = RoleSpec.parse(spec)
            except Exception:  # a stored role admission accepted earlier rules may refuse now: it grants nothing
                continue
        return cls(parsed, tuple(RoleAssignmentSpec.parse(a) for a in assignments))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: for a list: which items of the collection may be seen (None: all of them)
    visible_names: frozenset[str] | None = None
    missing: str = ""

    def sees(self, name: str) -> bool:
        return self.visible_names is None or name in self.visible_names


def covers(scope: Scope, access: Access, owner: str) -> bool:
    """Does the scope reach the place of the request? A workspace-limited scope reaches inside those
    workspaces and the workspace resources themselves; a region-limited one, regional requests there."""
    if access.tenant not in (scope.tenants or (owner,)):
        return False
    if scope.regions and access.region not in scope.regions:
        return False
    if scope.workspaces:
        return (access.workspace or _workspace_named(access)) in scope.workspaces
    return True


def _workspace_named(access: Access) -> str:
    parts = access.path.split("/")
    return parts[1] if access.provider.startswith("seca.workspace/") and len(parts) == 2 else ""


def matches(pattern: str, path: str) -> bool:
    """``*`` matches everything; ``instances/*`` the collection and everything in it; otherwise exact."""
    if pattern in ("*", path):
        return True
    if pattern.endswith("/*"):
        prefix = pattern[:-2]
        return path == prefix or path.startswith(prefix + "/")
    return False


def _verb_allowed(granted: Iterable[str], verb: str) -> bool:
    return any(g == verb or (g == "post" and verb.startswith("post.")) for g in granted)


def decide(rules: Rules, subject: str, access: Access, owner: str) -> Decision:
    patterns: list[str] = []
    for assignment in rules.assignments:
        if subject not in assignment.subs and "*" not in assignment.subs:
            continue
        if not any(covers(scope, access, owner) for scope in assignment.scopes):
            continue
        for role_name in assignment.roles:
            role = rules.roles.get(role_name)
            if role is None:
                continue
            for permission in role.permissions:
                if permission.provider == access.provider and _verb_allowed(permission.verbs, access.verb):
                    patterns += permission.resources
    missing = f"{access.provider} {access.verb} {access.path}"
    if access.verb != "list":
        allowed = any(matches(p, access.path) for p in patterns)
        return Decision(allowed, missing="" if allowed else missing)
    if any(matches(p, access.path) for p in patterns):
        return Decision(True)
    names = frozenset(p.split("/", 1)[1] for p in patterns if p.startswith(access.path + "/") and p.count("/") == 1)
    return Decision(bool(names), names or None, "" if names else missing)


def target_of(method: str, template: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """The verb and resource path of an operation: ``GET /v1/tenants/{tenant}/workspaces/{workspace}/instances``
    → ``("list", "instances")``; ``POST …/instances/{name}/start`` → ``("post.start", "instances/web-1")``."""
    parts = [p for p in template.split("/") if p]
    if parts[:1] == ["v1"]:
        parts = parts[1:]
    if parts[:2] == ["tenants", "{tenant}"]:
        parts = parts[2:]
    if parts[:2] == ["workspaces", "{workspace}"]:
        parts = parts[2:]
    filled = [str(params.get(p[1:-1], p)) if p.startswith("{") else p for p in parts]
    action = ""
    if method == "POST" and len(filled) >= 3 and len(filled) % 2 == 1:
        action, filled = filled[-1], filled[:-1]
    path = "/".join(filled)
    if action:
        return f"post.{action}", path
    if method == "GET":
        return ("list" if len(filled) % 2 == 1 else "get"), path
    return method.lower(), path


