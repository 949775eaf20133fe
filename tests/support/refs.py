"""SECA references as request bodies write them."""

from __future__ import annotations


def ref(path: str) -> dict[str, str]:
    """A reference object: ``{"resource": path}``."""
    return {"resource": path}
