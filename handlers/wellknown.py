"""extensions.wellknown v1: discovery of the global endpoints, plus the capability matrix."""

from __future__ import annotations

from secapi_hetzner.app import render
from secapi_hetzner.app.capabilities import wellknown_document
from secapi_hetzner.app.services import current


def get_wellknown() -> render.Reply:
    services = current()
    return render.resource(wellknown_document(services.settings.base_url, services.capabilities))
