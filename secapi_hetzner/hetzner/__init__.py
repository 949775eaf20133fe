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
from secapi_hetzner.hetzner.models import (
    HAction,
    HCreated,
    HImage,
    HLocation,
    HPlacementGroup,
    HServer,
    HServerType,
    HSnapshot,
    HSshKey,
    HTypeLocation,
    HVolume,
    Labels,
    freeze_labels,
)

__all__ = [
    "CallCounter", "Gateway", "Gateways", "HAction", "HCreated", "HImage", "HLocation", "HPlacementGroup",
    "HServer", "HServerType", "HSnapshot", "HSshKey", "HTypeLocation", "HVolume", "HetznerError",
    "HetznerNotFound", "HetznerRejected", "HetznerTransient", "Labels", "RequestBudget",
    "credential_fingerprint", "freeze_labels", "hetzner_errors",
]
