"""SECA references: the one type and the one parser for every ``*Ref`` field. Pure.

A reference is ``{"resource": "seca.storage/v1/tenants/t/workspaces/w/block-storages/disk"}`` or a
shorter form (``block-storages/disk``, ``skus/x``); ``provider``, ``tenant`` and ``workspace`` may
also be given as fields of the object. Bodies keep the reference exactly as sent (clients compare
it); everything the service decides is taken from the parsed :class:`Reference`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed

_URN = re.compile(r"^(?:(?P<provider>seca\.[a-z-]+)/(?P<version>v\w+)/)?"
                  r"(?:tenants/(?P<tenant>[^/]+)/)?(?:workspaces/(?P<workspace>[^/]+)/)?"
                  r"(?:networks/(?P<network>[^/]+)/)?(?P<collection>[a-z-]+)/(?P<name>[^/]+)$")


@dataclass(frozen=True)
class Reference:
    collection: str
    name: str
    provider: str | None = None
    tenant: str | None = None
    workspace: str | None = None
    network: str | None = None
    region: str | None = None

    @classmethod
    def parse(cls, ref: Any, field: str) -> Reference:
        """Parse a Reference object; :class:`PreconditionFailed` naming ``field`` if malformed."""
        text = ref.get("resource") if isinstance(ref, dict) else None
        match = _URN.match(text if isinstance(text, str) else "")
        if not match:
            raise PreconditionFailed(f"{field}: {text!r} is not a reference to a resource.", pointer=pointer(field))
        assert isinstance(ref, dict)
        provider = _text(ref.get("provider")) or match.group("provider")
        return cls(collection=match.group("collection"), name=match.group("name"),
                   provider=provider.split("/")[0] if provider else None,
                   tenant=_text(ref.get("tenant")) or match.group("tenant"),
                   workspace=_text(ref.get("workspace")) or match.group("workspace"),
                   network=match.group("network"), region=_text(ref.get("region")))

    @classmethod
    def parse_optional(cls, ref: Any, field: str) -> Reference | None:
        return None if ref is None else cls.parse(ref, field)

    def expect(self, collection: str, field: str, *, tenant: str, workspace: str | None = None) -> Reference:
        """This reference, checked to name a ``collection`` item of this tenant (and workspace)."""
        if self.collection != collection:
            raise PreconditionFailed(f"{field} must reference {collection}, not {self.collection}.",
                                     pointer=pointer(field))
        if self.tenant not in (None, tenant):
            raise PreconditionFailed(f"{field} references another tenant.", pointer=pointer(field))
        if workspace is not None and self.workspace not in (None, workspace):
            raise PreconditionFailed(f"{field} references another workspace.", pointer=pointer(field))
        return self


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def pointer(field: str) -> str:
    """``spec.dataVolumes.0.deviceRef`` → ``/spec/dataVolumes/0/deviceRef``."""
    return "/" + field.replace(".", "/")
