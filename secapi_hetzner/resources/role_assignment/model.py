"""The role assignment kind's typed model. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scope:
    """Where an assignment applies; an empty tuple is no restriction at that level (tenants: the owner)."""

    tenants: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    workspaces: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Scope:
        return cls(*(tuple(str(v) for v in raw.get(level) or ()) for level in ("tenants", "regions", "workspaces")))


@dataclass(frozen=True)
class RoleAssignmentSpec:
    subs: tuple[str, ...]
    roles: tuple[str, ...]
    scopes: tuple[Scope, ...]

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> RoleAssignmentSpec:
        return cls(subs=tuple(str(s) for s in spec.get("subs") or ()),
                   roles=tuple(str(r) for r in spec.get("roles") or ()),
                   scopes=tuple(Scope.parse(s if isinstance(s, Mapping) else {}) for s in spec.get("scopes") or ()))
