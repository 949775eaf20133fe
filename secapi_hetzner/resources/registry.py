"""Every SECA kind the engine serves, by ``metadata.kind``."""

from __future__ import annotations

from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.workspace import WORKSPACE

KINDS: dict[str, Kind] = {kind.kind: kind for kind in (WORKSPACE,)}


def kind_named(name: str) -> Kind:
    return KINDS[name]
