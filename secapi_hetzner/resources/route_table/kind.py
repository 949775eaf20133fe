"""The route-table kind (``metadata.kind`` routing-table): routes of a network, programmed as the Hetzner
network's routes (see ``reconcile``).

Admission refuses a destination another table of the network sends elsewhere (412 naming both tables:
Hetzner routes are network-wide). Targets may not exist yet (SECA clients create a route before its
instance): such a route is accepted and waits, and its status says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from secapi_hetzner import errors
from secapi_hetzner.metadata import rfc3339
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.instance import usage as instances
from secapi_hetzner.resources.kinds import DeleteCheck, Kind, UpdateAnswer
from secapi_hetzner.resources.network import usage as networks
from secapi_hetzner.resources.network.kind import annotate_active
from secapi_hetzner.resources.route_table.model import RouteTableRecord, RouteTableSpec
from secapi_hetzner.resources.route_table.reconcile import RouteTableReconciler
from secapi_hetzner.resources.route_table.translate import conflict
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository

TARGET_KINDS = {"internet-gateways": "internet-gateway", "instances": "instance"}


class RouteTableKind(Kind):
    api = NETWORK
    kind = "routing-table"
    collection = "route-tables"
    scope = "network"
    record = RouteTableRecord
    reconciler = RouteTableReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = RouteTableSpec.parse(request.spec)
        for index, route in enumerate(spec.routes):
            request.expect(route.target, f"routes.{index}.targetRef", route.target.collection)
        if networks.live_network(request.repository, request.tenant, request.workspace, request.parent) is None:
            raise errors.PreconditionFailed(f"Network {request.parent!r} does not exist.")
        others = request.repository.batch(Key(request.tenant, request.workspace, request.parent, self.kind, ""),
                                          after="", deleted="exclude", size=1000)
        clash = conflict(spec.routes, ((t.key.name, RouteTableSpec.parse(t.spec).routes)
                                       for t in others if t.key.name != request.name))
        if clash is not None:
            route, table, other = clash
            raise errors.PreconditionFailed(
                f"spec.routes: route {route.describe()} of route table {request.name!r} conflicts with route "
                f"{other.describe()} of route table {table!r}: Hetzner routes are network-wide, so the tables of "
                f"network {request.parent!r} cannot send one destination to different targets.",
                pointer="/spec/routes")
        return {}

    def update_answer(self, request: Admission) -> UpdateAnswer | None:
        """Nothing changes on Hetzner when the table had no route there and none of its instance targets
        has a server yet (internet-gateway routes are logical)."""
        assert request.old is not None
        if RouteTableRecord.from_json(request.old.internal).programmed:
            return None
        for route in RouteTableSpec.parse(request.spec).routes:
            if route.target.collection == "instances":
                instance = request.repository.get(Key(request.tenant, request.workspace, "", "instance",
                                                      route.target.name))
                if instance is not None and instances.server_id_of(instance):
                    return None
        return UpdateAnswer(work=False)

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        key = resource.key
        users = [s for s in check.referencing(key.tenant, key.workspace, "subnet", f'route-tables/{key.name}"')
                 if s.key.parent == key.parent]
        if users:
            raise errors.PreconditionFailed(f"Route table {key.name!r} is used by subnet {users[0].key.name!r} of "
                                            f"network {key.parent!r}; change or delete the subnet first.")

    live_reads = "targets"  # each route's state is whether its target exists
    live_targets = tuple(TARGET_KINDS.values())

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        """Each route's state: active when Hetzner has it (or it is logical), pending while its target
        does not exist or has no address in the network yet. One query per workspace and target kind."""
        existing: dict[tuple[str, str, str], set[str]] = {}
        for table in resources:
            for kind in TARGET_KINDS.values():
                place = (table.key.tenant, table.key.workspace, kind)
                if place not in existing:
                    existing[place] = {r.key.name for r in repository.batch(
                        Key(*place[:2], "", kind, ""), after="", deleted="exclude", size=100_000)}
        extra: dict[UUID, dict[str, Any]] = {}
        for table in resources:
            key = table.key
            programmed = RouteTableRecord.from_json(table.internal).destinations()
            stamp = rfc3339(table.last_modified_at)
            statuses, pending = [], []
            for route in RouteTableSpec.parse(table.spec).routes:
                name = route.target.name
                live = name in existing[(key.tenant, key.workspace, TARGET_KINDS[route.target.collection])]
                if route.target.collection == "internet-gateways":
                    state, reason, message = ("active", "Logical", (
                        f"Internet gateway {name!r}: no Hetzner route; instances in subnets using this table get "
                        "public interfaces.")) if live else (
                        "pending", "TargetMissing", f"Internet gateway {name!r} does not exist yet.")
                elif str(route.destination) in programmed:
                    gateway = programmed[str(route.destination)]
                    state, reason, message = "active", "Programmed", f"Hetzner route {route.destination} via {gateway}."
                elif not live:
                    state, reason, message = "pending", "TargetMissing", f"Instance {name!r} does not exist yet."
                else:
                    state, reason, message = ("pending", "TargetHasNoAddress", (
                        f"Instance {name!r} has no address in network {key.parent!r} yet; the route is programmed "
                        "once it has one."))
                if state == "pending":
                    pending.append(route.describe())
                statuses.append({"state": state, "conditions": [
                    {"state": state, "lastTransitionAt": stamp, "reason": reason, "message": message}]})
            extra[table.id] = {"routes": statuses}
            if pending:
                extra[table.id].update(annotate_active(table.status, "RoutesPending", (
                    f"Waiting for the target of {len(pending)} route(s): {', '.join(pending)}.")))
        return extra


ROUTE_TABLE = RouteTableKind()
