"""Hetzner access: the only package that imports ``hcloud``."""

from secapi_hetzner.hetzner.budget import (
    BACKGROUND_RESERVE,
    Budget,
    CallCounter,
    Priority,
    RequestBudget,
    reserved,
)
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
    HNetwork,
    HPlacementGroup,
    HPrivateNet,
    HRoute,
    HServer,
    HServerType,
    HSnapshot,
    HSshKey,
    HSubnet,
    HTypeLocation,
    HVolume,
    Labels,
    freeze_labels,
)

__all__ = [
    "BACKGROUND_RESERVE", "Budget", "CallCounter", "Gateway", "Gateways", "HAction", "HCreated", "HImage",
    "HLocation", "HNetwork", "HPlacementGroup", "HPrivateNet", "HRoute", "HServer", "HServerType", "HSnapshot",
    "HSshKey",
    "HSubnet", "HTypeLocation", "HVolume",
    "HetznerError", "HetznerNotFound", "HetznerRejected", "HetznerTransient", "Labels", "Priority",
    "RequestBudget", "credential_fingerprint", "freeze_labels", "hetzner_errors", "reserved",
]
