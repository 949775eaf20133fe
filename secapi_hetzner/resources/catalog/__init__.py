"""The read-only catalog: regions, compute/storage/network SKUs and system images.

Served from a cache refreshed in the background, so steady-state reads cost no Hetzner call.
"""

from secapi_hetzner.resources.catalog.cache import CatalogCache, CatalogSnapshot
from secapi_hetzner.resources.catalog.service import Catalog

__all__ = ["Catalog", "CatalogCache", "CatalogSnapshot"]
