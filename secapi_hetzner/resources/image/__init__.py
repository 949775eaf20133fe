"""Images: the tenant's own (Hetzner snapshots, or the system image an unused block storage holds),
listed after the catalog's read-only system images."""

from secapi_hetzner.resources.image.kind import (
    IMAGE,
    get_image,
    images_page,
    is_system_image,
    own_image,
    refuse_system_image,
    refuse_while_used,
)

__all__ = ["IMAGE", "get_image", "images_page", "is_system_image", "own_image", "refuse_system_image",
           "refuse_while_used"]
