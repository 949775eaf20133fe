"""The HTTP layer: Connexion app, resolver, authentication, rendering and the one error mapper."""

from secapi_hetzner.app.factory import create_app

__all__ = ["create_app"]
