"""The role kind's typed model: permissions parsed and checked once. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.scope import APIS

#: the providers a permission may name (``seca.compute/v1`` …): every API this service describes
PROVIDERS: frozenset[str] = frozenset(api.provider for api in APIS if api.slug != "wellknown")
#: verbs of a permission: the four resource verbs, ``post`` (every action) or ``post.<action>``
VERBS: frozenset[str] = frozenset({"get", "list", "put", "delete", "post"})
_ACTION_VERB = re.compile(r"^post\.[a-z][a-z-]*$")
#: ``*``, ``collection``, ``collection/*``, ``collection/name``, ``networks/n/subnets/*`` …
_RESOURCE = re.compile(r"^(\*|[a-z][a-z-]*(/[^/\s]+)*)$")


def _pointer(index: int, field: str, item: int | None = None) -> str:
    return f"/spec/permissions/{index}/{field}" + (f"/{item}" if item is not None else "")


@dataclass(frozen=True)
class Permission:
    provider: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]

    @classmethod
    def parse(cls, index: int, raw: Mapping[str, Any]) -> Permission:
        provider = str(raw.get("provider", ""))
        if provider not in PROVIDERS:
            raise PreconditionFailed(
                f"spec.permissions[{index}].provider: {provider!r} is not an API of this provider "
                f"({', '.join(sorted(PROVIDERS))}).", pointer=_pointer(index, "provider"))
        resources = tuple(str(r) for r in raw.get("resources") or ())
        for item, resource in enumerate(resources):
            if not _RESOURCE.match(resource):
                raise PreconditionFailed(
                    f"spec.permissions[{index}].resources[{item}]: {resource!r} is not a resource path such as "
                    "'instances/web-1', 'instances/*' or '*'.", pointer=_pointer(index, "resources", item))
        verbs = tuple(str(v) for v in raw.get("verb") or ())
        for item, verb in enumerate(verbs):
            if verb.lower() not in VERBS and not _ACTION_VERB.match(verb.lower()):
                raise PreconditionFailed(
                    f"spec.permissions[{index}].verb[{item}]: {verb!r} is not a verb (get, list, put, delete, "
                    "post, or post.<action>).", pointer=_pointer(index, "verb", item))
        return cls(provider, resources, tuple(v.lower() for v in verbs))


@dataclass(frozen=True)
class RoleSpec:
    permissions: tuple[Permission, ...]

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> RoleSpec:
        raw = spec.get("permissions") or []
        if not raw:
            raise PreconditionFailed("spec.permissions: a role grants at least one permission.",
                                     pointer="/spec/permissions")
        return cls(tuple(Permission.parse(i, p if isinstance(p, Mapping) else {}) for i, p in enumerate(raw)))
