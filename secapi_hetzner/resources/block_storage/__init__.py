"""Block storages: Hetzner volumes, or a server's root disk when used as a boot volume."""

from secapi_hetzner.resources.block_storage import usage
from secapi_hetzner.resources.block_storage.kind import BLOCK_STORAGE

__all__ = ["BLOCK_STORAGE", "usage"]
