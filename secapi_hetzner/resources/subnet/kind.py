"""The subnet kind: a Hetzner ``cloud`` subnet of its network, in the network zone of the region.

SECA subnets are zonal; Hetzner subnets span every location of their network zone. The zone is checked
to be one of the region and recorded, but constrains nothing on Hetzner: a server of any zone of the
region can have an address in the subnet (docs/compatibility.md). The block must lie inside the network
and not overlap a sibling's; the same block twice is one Hetzner subnet shared by both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.catalog.service import find
from secapi_hetzner.resources.kinds import Kind, UpdateAnswer
from secapi_hetzner.resources.network import translate
from secapi_hetzner.resources.network import usage as networks
from secapi_hetzner.resources.subnet.model import SubnetRecord, SubnetSpec
from secapi_hetzner.resources.subnet.reconcile import SubnetReconciler
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository


class SubnetKind(Kind):
    api = NETWORK
    kind = "subnet"
    collection = "subnets"
    scope = "network"
    record = SubnetRecord
    reconciler = SubnetReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = SubnetSpec.parse(request.spec)
        network = networks.live_network(request.repository, request.tenant, request.workspace, request.parent)
        if network is None:
            raise errors.PreconditionFailed(f"Network {request.parent!r} does not exist.")
        block = spec.block(networks.ip_range_of(network))
        zones = request.catalog.zones(request.region)
        if spec.zone not in zones:
            raise errors.PreconditionFailed(f"spec.zone: {spec.zone!r} is not a zone of region {request.region!r} "
                                            f"({', '.join(zones)}).", pointer="/spec/zone")
        table = request.expect(spec.route_table, "routeTableRef", "route-tables")
        if table.network not in (None, request.parent):
            raise errors.PreconditionFailed(f"spec.routeTableRef: route table {table.name!r} belongs to network "
                                            f"{table.network!r}, not {request.parent!r}.",
                                            pointer="/spec/routeTableRef")
        if spec.sku is not None:
            sku = request.expect(spec.sku, "skuRef", "skus").name
            try:
                find(request.catalog.network_skus(request.tenant, request.region), sku, "Network SKU")
            except errors.NotFound as exc:
                raise errors.PreconditionFailed(f"spec.skuRef: {exc.detail}", pointer="/spec/skuRef") from exc
        if request.old is not None and (request.old.spec.get("cidr") or {}) != (request.spec.get("cidr") or {}):
            raise errors.PreconditionFailed("spec.cidr cannot change once the subnet exists; create another subnet.",
                                            pointer="/spec/cidr")
        siblings = request.repository.batch(Key(request.tenant, request.workspace, request.parent, self.kind, ""),
                                            after="", deleted="exclude", size=1000)
        clash = translate.overlapping(block, [
            (s.key.name, SubnetSpec.parse(s.spec).block(networks.ip_range_of(network)))
            for s in siblings if s.key.name != request.name])
        if clash is not None:
            raise errors.PreconditionFailed(f"spec.cidr.ipv4: {block} overlaps subnet {clash!r} of network "
                                            f"{request.parent!r}.", pointer="/spec/cidr/ipv4")
        return {"cidr": {"ipv4": str(block)}}

    def update_answer(self, request: Admission) -> UpdateAnswer:
        return UpdateAnswer(work=False)  # the block cannot change; zone, route table and SKU change nothing on Hetzner

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        # the route table a subnet uses is its spec's (Hetzner routes are network-wide: nothing to place)
        return {r.id: {"routeTableRef": r.spec["routeTableRef"]} for r in resources if r.spec.get("routeTableRef")}


SUBNET = SubnetKind()
