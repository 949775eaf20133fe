"""Subnets: Hetzner ``cloud`` subnets of their network, in the network zone of the region."""

from secapi_hetzner.resources.subnet.kind import SUBNET

__all__ = ["SUBNET"]
