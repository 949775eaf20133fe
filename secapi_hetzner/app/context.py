"""What a handler may know about the current request, without importing Connexion."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from connexion.context import context as connexion_context
from connexion.context import request as connexion_request

_region: contextvars.ContextVar[str] = contextvars.ContextVar("seca_region", default="")


@dataclass(frozen=True)
class Principal:
    tenant: str
    subject: str


def set_region(region: str) -> contextvars.Token[str]:
    return _region.set(region)


def reset_region(token: contextvars.Token[str]) -> None:
    _region.reset(token)


def current_region() -> str:
    return _region.get()


def current_principal() -> Principal | None:
    try:
        info = connexion_context.get("token_info")
    except LookupError:  # outside a request
        return None
    if not isinstance(info, dict) or "tenant" not in info:
        return None
    return Principal(tenant=str(info["tenant"]), subject=str(info.get("sub", "")))


def deleted_mode() -> str:
    """``exclude`` (default), ``include`` or ``only``, from the list operations' Accept header."""
    accept = connexion_request.headers.get("accept", "").replace(" ", "").lower()
    if "deleted=only" in accept:
        return "only"
    if "deleted=true" in accept:
        return "include"
    return "exclude"


def if_unmodified_since() -> int | None:
    from secapi_hetzner.app.preconditions import expected_version

    return expected_version()
