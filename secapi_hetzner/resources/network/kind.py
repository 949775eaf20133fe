"""The network kind: a Hetzner network (``spec.cidr.ipv4`` → ``ip_range``).

Admission checks what Hetzner would refuse (an RFC 1918 block of /24 or larger) and what cannot change
(the block). The SKU is logical (Hetzner networks have no tiers): a change is recorded inside the request.
An IPv6 block (RFC 4193) is stored and never realised; the active condition says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from secapi_hetzner import errors
from secapi_hetzner.engine.observe import Drift, Inventory
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.catalog.service import find
from secapi_hetzner.resources.kinds import DeleteCheck, Kind, UpdateAnswer
from secapi_hetzner.resources.network.model import NetworkRecord, NetworkSpec
from secapi_hetzner.resources.network.reconcile import NetworkReconciler
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Resource, ResourceRepository


def annotate_active(status: dict[str, Any], reason: str, message: str) -> dict[str, Any]:
    """``status`` with its newest condition explaining itself, when the resource is active."""
    conditions = [dict(c) for c in status.get("conditions") or []]
    if status.get("state") != "active" or not conditions:
        return {}
    conditions[0].update(reason=reason, message=message)
    return {"conditions": conditions}


class NetworkKind(Kind):
    api = NETWORK
    kind = "network"
    collection = "networks"
    scope = "workspace"
    observes = frozenset({"networks"})
    record = NetworkRecord
    reconciler = NetworkReconciler()
    names_a_scope = True

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = NetworkSpec.parse(request.spec)
        sku = request.expect(spec.sku, "skuRef", "skus").name
        try:
            find(request.catalog.network_skus(request.tenant, request.region), sku, "Network SKU")
        except errors.NotFound as exc:
            raise errors.PreconditionFailed(f"spec.skuRef: {exc.detail}", pointer="/spec/skuRef") from exc
        if request.old is not None and (request.old.spec.get("cidr") or {}) != (request.spec.get("cidr") or {}):
            raise errors.PreconditionFailed("spec.cidr cannot change once the network exists (Hetzner networks "
                                            "keep their range); create another network.", pointer="/spec/cidr")
        return {"cidr": {"ipv4": str(spec.ip_range)}}

    deletes_along = ("subnet",)

    def update_answer(self, request: Admission) -> UpdateAnswer:
        return UpdateAnswer(work=False)  # the block cannot change; the SKU, labels and annotations exist only here

    def initial_record(self) -> dict[str, Any]:
        return NetworkRecord(create_attempts=0).to_json()

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        """Not while a route table of it exists (412, as Network.V1.NetworkError expects); its subnets are
        deleted along with it (NicLifeCycle deletes a network with its subnet still there; Hetzner deletes a
        network's subnets with it), each unless its own kind refuses."""
        key = resource.key
        tables = check.inside(key.tenant, key.workspace, key.name, "routing-table")
        if tables:
            raise errors.PreconditionFailed(f"Network {key.name!r} still holds route table {tables[0].key.name!r}; "
                                            f"delete it first.")

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        extra = {}
        for resource in resources:
            ipv6 = (resource.spec.get("cidr") or {}).get("ipv6")
            if ipv6:
                annotated = annotate_active(resource.status, "IPv6NotRealised", (
                    f"The IPv6 block {ipv6} is recorded but not realised: Hetzner networks are IPv4 only "
                    "(servers get public IPv6 on their public interface)."))
                if annotated:
                    extra[resource.id] = annotated
        return extra

    def observe(self, resource: Resource, inventory: Inventory) -> Drift | None:
        network_id = NetworkRecord.from_json(resource.internal).network_id
        if not network_id or network_id in inventory.networks:
            return None
        return Drift("DeletedOutsideService", f"Hetzner network {network_id} was deleted outside secapi-hetzner.")


NETWORK_KIND = NetworkKind()
