"""The public-IP kind: admission (version, requested address), the delete refusal while a NIC uses it,
and drift (a primary IP deleted outside the service).

Hetzner allocates every address itself: a requested ``spec.address`` (BYOIP) is kept in the spec as
sent, the address Hetzner allocated is ``status.ipAddress`` (docs/compatibility.md).
"""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.engine.observe import Drift, Inventory
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import DeleteCheck, Kind, UpdateAnswer
from secapi_hetzner.resources.public_ip.model import PublicIpRecord, PublicIpSpec
from secapi_hetzner.resources.public_ip.reconcile import PublicIpReconciler
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Resource


class PublicIpKind(Kind):
    api = NETWORK
    kind = "public-ip"
    collection = "public-ips"
    scope = "workspace"
    observes = frozenset({"primary_ips"})
    record = PublicIpRecord
    reconciler = PublicIpReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = PublicIpSpec.parse(request.spec)
        if request.old is not None and request.old.deleted_at is None:
            before = PublicIpSpec.parse(request.old.spec)
            if before.version != spec.version and PublicIpRecord.from_json(request.old.internal).primary_ip_id:
                raise errors.PreconditionFailed(
                    f"spec.version cannot change from {before.version} to {spec.version}: the Hetzner primary IP "
                    "keeps its family. Create another public IP instead.", pointer="/spec/version")
        return {}

    def initial_record(self) -> dict[str, Any]:
        return PublicIpRecord(create_attempts=0).to_json()

    def update_answer(self, request: Admission) -> UpdateAnswer:
        """Only the requested address can change, and Hetzner never honours it: nothing is pending."""
        return UpdateAnswer(work=True)

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        users = check.referencing(resource.key.tenant, resource.key.workspace, "nic",
                                  f'public-ips/{resource.key.name}"')
        if users:
            raise errors.PreconditionFailed(f"Public IP {resource.key.name!r} is used by NIC {users[0].key.name!r}; "
                                            "delete or change the NIC first.")

    def observe(self, resource: Resource, inventory: Inventory) -> Drift | None:
        record = PublicIpRecord.from_json(resource.internal)
        if not record.primary_ip_id or record.primary_ip_id in inventory.primary_ips:
            return None
        return Drift("DeletedOutsideService",
                     f"Hetzner primary IP {record.primary_ip_id} was deleted outside secapi-hetzner.")


PUBLIC_IP = PublicIpKind()
