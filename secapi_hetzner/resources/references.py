"""SECA references (``{"resource": "seca.storage/v1/tenants/t/skus/x"}`` or short forms). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed

_URN = re.compile(r"^(?:(?P<provider>seca\.[a-z-]+)/(?P<version>v\w+)/)?"
                  r"(?:tenants/(?P<tenant>[^/]+)/)?(?:workspaces/(?P<workspace>[^/]+)/)?"
                  r"(?:networks/(?P<network>[^/]+)/)?(?P<collection>[a-z-]+)/(?P<name>[^/]+)$")


@dataclass(frozen=True)
class Target:
    collection: str
    name: str
    provider: str | None = None
    tenant: str | None = None
    workspace: str | None = None
    network: str | None = None


def parse_reference(ref: Any, field: str) -> Target:
    """Parse a Reference object; raise :class:`PreconditionFailed` naming ``field`` if malformed."""
    text = ref.get("resource") if isinstance(ref, dict) else None
    match = _URN.match(text or "")
    if not match:
        raise PreconditionFailed(f"{field}: {text!r} is not a reference to a resource.", pointer=_pointer(field))
    provider = ref.get("provider") or match.group("provider")
    return Target(collection=match.group("collection"), name=match.group("name"),
                  provider=provider.split("/")[0] if provider else None,
                  tenant=ref.get("tenant") or match.group("tenant"),
                  workspace=ref.get("workspace") or match.group("workspace"), network=match.group("network"))


def _pointer(field: str) -> str:
    return "/" + field.replace(".", "/")


def expect(target: Target, collection: str, field: str, *, tenant: str, workspace: str | None = None) -> str:
    """Check that ``target`` names a ``collection`` item in this tenant (and workspace); return its name."""
    if target.collection != collection:
        raise PreconditionFailed(f"{field} must reference {collection}, not {target.collection}.",
                                 pointer=_pointer(field))
    if target.tenant not in (None, tenant):
        raise PreconditionFailed(f"{field} references another tenant.", pointer=_pointer(field))
    if workspace is not None and target.workspace not in (None, workspace):
        raise PreconditionFailed(f"{field} references another workspace.", pointer=_pointer(field))
    return target.name
