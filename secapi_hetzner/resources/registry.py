"""Every SECA kind the engine serves, by ``metadata.kind``."""

from __future__ import annotations

from secapi_hetzner.resources.block_storage import BLOCK_STORAGE
from secapi_hetzner.resources.image import IMAGE
from secapi_hetzner.resources.instance import INSTANCE
from secapi_hetzner.resources.internet_gateway import INTERNET_GATEWAY
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.network import NETWORK_KIND
from secapi_hetzner.resources.nic import NIC
from secapi_hetzner.resources.public_ip import PUBLIC_IP
from secapi_hetzner.resources.role import ROLE
from secapi_hetzner.resources.role_assignment import ROLE_ASSIGNMENT
from secapi_hetzner.resources.route_table import ROUTE_TABLE
from secapi_hetzner.resources.security_group import SECURITY_GROUP
from secapi_hetzner.resources.security_group_rule import SECURITY_GROUP_RULE
from secapi_hetzner.resources.subnet import SUBNET
from secapi_hetzner.resources.workspace import WORKSPACE

KINDS: dict[str, Kind] = {kind.kind: kind for kind in (WORKSPACE, BLOCK_STORAGE, INSTANCE, IMAGE)}
KINDS.update({kind.kind: kind for kind in (ROLE, ROLE_ASSIGNMENT)})
KINDS.update({kind.kind: kind for kind in (NETWORK_KIND, SUBNET, ROUTE_TABLE, INTERNET_GATEWAY)})
KINDS.update({kind.kind: kind for kind in (PUBLIC_IP, SECURITY_GROUP_RULE, SECURITY_GROUP, NIC)})


def kind_named(name: str) -> Kind:
    return KINDS[name]
