"""The read-only catalog: regions, compute/storage/network SKUs and system images.

Served from a cache refreshed in the background, so steady-state reads cost no Hetzner call.
``server_type_for_sku`` tells which Hetzner server type a compute SKU (a type's own name or a SECA
standard tier such as ``seca.d2xs``) stands for in a region.
"""

from secapi_hetzner.resources.catalog.cache import CatalogCache, CatalogSnapshot
from secapi_hetzner.resources.catalog.service import Catalog
from secapi_hetzner.resources.catalog.tiers import COMPUTE_TIERS, ComputeTier, server_type_for_sku, tier_of_sku

__all__ = ["COMPUTE_TIERS", "Catalog", "CatalogCache", "CatalogSnapshot", "ComputeTier", "server_type_for_sku",
           "tier_of_sku"]
