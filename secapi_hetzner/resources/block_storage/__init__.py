"""Block storages: Hetzner volumes, or a server's root disk when used as a boot volume."""

from secapi_hetzner.resources.block_storage.kind import BLOCK_STORAGE, refuse_while_in_use

__all__ = ["BLOCK_STORAGE", "refuse_while_in_use"]
