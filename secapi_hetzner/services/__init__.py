"""Application services: what handlers call. The resource service applies the kinds' rules to every
request; the image collection merges the catalog's system images with the tenant's own."""

from secapi_hetzner.services.resources import Applied, Place, ResourceService

__all__ = ["Applied", "Place", "ResourceService"]
