"""Hetzner access: the only package that imports ``hcloud``."""

from secapi_hetzner.hetzner.budget import CallCounter, RequestBudget
from secapi_hetzner.hetzner.errors import (
    HetznerError,
    HetznerNotFound,
    HetznerRejected,
    HetznerTransient,
    hetzner_errors,
)
from secapi_hetzner.hetzner.gateway import Gateway, Gateways, credential_fingerprint
from secapi_hetzner.hetzner.models import HImage, HLocation, HServerType, HTypeLocation

__all__ = [
    "CallCounter", "Gateway", "Gateways", "HImage", "HLocation", "HServerType", "HTypeLocation",
    "HetznerError", "HetznerNotFound", "HetznerRejected", "HetznerTransient", "RequestBudget",
    "credential_fingerprint", "hetzner_errors",
]
