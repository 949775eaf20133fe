"""The internet-gateway kind: a logical object (Hetzner has no internet gateway).

The model (docs/compatibility.md): an instance whose subnet's route table sends ``0.0.0.0/0`` to an
internet gateway gets public interfaces (a Hetzner server's public IPv4/IPv6); without one it is
private-only (Hetzner servers can be created without public interfaces); ``egressOnly`` keeps the
outbound path but takes no inbound public address. Stored, checked, active at once (nothing to create
on Hetzner: its condition says so). Deleting it while a route table sends traffic to it is accepted (a
conformance scenario deletes the gateway first): the route's status then says its target is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.network.kind import annotate_active
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Resource, ResourceRepository

LOGICAL = ("Logical", "Hetzner Cloud has no internet gateway object: this one exists in secapi-hetzner only. "
                      "Instances whose subnet routes 0.0.0.0/0 to it get public interfaces (with egressOnly, no "
                      "inbound public address); instances without such a route are private-only.")


class InternetGatewayKind(Kind):
    api = NETWORK
    kind = "internet-gateway"
    collection = "internet-gateways"
    scope = "workspace"

    def admit(self, request: Admission) -> dict[str, Any]:
        egress_only = request.spec.get("egressOnly", False)
        if not isinstance(egress_only, bool):
            raise errors.PreconditionFailed("spec.egressOnly must be true or false.", pointer="/spec/egressOnly")
        return {}

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        return {r.id: annotated for r in resources if (annotated := annotate_active(r.status, *LOGICAL))}


INTERNET_GATEWAY = InternetGatewayKind()
