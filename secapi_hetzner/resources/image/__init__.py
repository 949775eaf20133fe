"""Images: the tenant's own (Hetzner snapshots, or the system image an unused block storage holds),
listed after the catalog's read-only system images (``secapi_hetzner.services.images``)."""

from secapi_hetzner.resources.image import usage
from secapi_hetzner.resources.image.kind import IMAGE, is_system_image

__all__ = ["IMAGE", "is_system_image", "usage"]
