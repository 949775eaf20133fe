"""Connexion's answers encoded by the service's one JSON encoder (:mod:`secapi_hetzner.jsoncodec`)."""

from __future__ import annotations

from typing import Any

from connexion.jsonifier import Jsonifier

from secapi_hetzner.jsoncodec import encode


class FastJsonifier(Jsonifier):  # type: ignore[misc]  # connexion is untyped
    """Connexion's jsonifier with :func:`secapi_hetzner.jsoncodec.encode` for answers (parsing stays
    Connexion's)."""

    def dumps(self, data: Any, **kwargs: Any) -> str:
        return encode(data).decode()
