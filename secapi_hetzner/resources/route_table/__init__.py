"""Route tables: the routes of a network, programmed as the Hetzner network's routes."""

from secapi_hetzner.resources.route_table.kind import ROUTE_TABLE

__all__ = ["ROUTE_TABLE"]
