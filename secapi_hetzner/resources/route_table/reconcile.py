"""Worker steps for route tables: program the Hetzner routes of every table of the network.

A route to an instance becomes a Hetzner route to the instance's address in the network, once its server
has one; until then it waits (its status says so) and the table is active, as SECA clients expect. A
route to an internet gateway is logical (no Hetzner route: its effect is the public interfaces of the
instances behind it). Each step adds or deletes one route and is followed to its end before the next.
"""

from __future__ import annotations

import enum

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.follow import follow, resume
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.hetzner import HetznerNotFound, HetznerRejected
from secapi_hetzner.hetzner.models import HRoute
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.instance import usage as instances
from secapi_hetzner.resources.network import usage as networks
from secapi_hetzner.resources.route_table.model import RouteTableRecord, RouteTableSpec
from secapi_hetzner.resources.route_table.translate import key_of, route_plan
from secapi_hetzner.store.repository import Key, Resource


class Step(enum.StrEnum):
    ADD_ROUTE = "add-route"        # target: destination>gateway
    DELETE_ROUTE = "delete-route"  # target: destination>gateway


def tables_of(ctx: StepContext) -> list[Resource]:
    """The live route tables of the step's network (this one too, unless it is being deleted)."""
    key = ctx.resource.key
    return ctx.repository.batch(Key(key.tenant, key.workspace, key.parent, key.kind, ""), after="",
                                deleted="exclude", size=1000)


def gateways(ctx: StepContext, table: Resource, network_id: int) -> dict[str, str]:
    """The table's routes Hetzner can have now: destination → the target instance's address in the network."""
    found: dict[str, str] = {}
    for route in RouteTableSpec.parse(table.spec).routes:
        if route.target.collection != "instances":
            continue
        instance = ctx.lookup("instance", route.target.name)
        server_id = instances.server_id_of(instance) if instance is not None and instance.deleted_at is None \
            else None
        address = ctx.gateway.server_private_ip(server_id, network_id) if server_id else None
        if address:
            found[str(route.destination)] = address
    return found


class RouteTableReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        parent = networks.parent_network(ctx)
        if isinstance(parent, Outcome):
            return parent
        network_id = parent[1]
        ctx.update(internal={"network_id": network_id})
        outcome = self._program(ctx, network_id)
        if outcome is not None:
            return outcome
        ctx.update(event=Event.PROVISIONED)
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        record = RouteTableRecord.from_json(ctx.resource.internal)
        if record.network_id:
            outcome = self._program(ctx, record.network_id)
            if outcome is not None:
                return outcome
        ctx.purge()
        return Outcome.done()

    def _program(self, ctx: StepContext, network_id: int) -> Outcome | None:
        """Bring the network's Hetzner routes to what its live tables ask for, one action at a time; record
        this table's programmed routes. None when done."""
        resumed = resume(ctx)  # an add or delete in flight is followed to its end first
        if isinstance(resumed, Outcome):
            return resumed
        tables = tables_of(ctx)
        wanted: dict[str, dict[str, str]] = {t.key.name: gateways(ctx, t, network_id) for t in tables}
        recorded = any(RouteTableRecord.from_json(t.internal).programmed for t in [*tables, ctx.resource])
        if not any(wanted.values()) and not recorded:
            return None  # no table has or had a route Hetzner can hold: nothing to read or change
        try:
            present = ctx.gateway.get_network(network_id)
        except HetznerNotFound:
            if ctx.resource.deleted_at is not None:
                return None  # the network went, with its routes
            return Outcome.failed("NetworkMissing", f"Hetzner network {network_id} no longer exists (deleted "
                                                    "outside secapi-hetzner).")
        routes = {(d, g) for table in wanted.values() for d, g in table.items()}
        stale, missing = route_plan(((r.destination, r.gateway) for r in present.routes), routes)
        for step, (destination, gateway) in [*((Step.DELETE_ROUTE, r) for r in stale),
                                             *((Step.ADD_ROUTE, r) for r in missing)]:
            route = HRoute(destination, gateway)
            send = ctx.gateway.delete_route if step == Step.DELETE_ROUTE else ctx.gateway.add_route
            try:
                waiting = follow(ctx, step, lambda send=send, route=route: send(network_id, route),  # type: ignore[misc]
                                 target=key_of(destination, gateway))
            except HetznerRejected as exc:  # another table's step changed the routes meanwhile: plan again
                return Outcome.retry_after_failure(ctx.timings.action_poll, "RoutesChanged", str(exc))
            if waiting is not None:
                return waiting
        mine = wanted.get(ctx.resource.key.name, {}) if ctx.resource.deleted_at is None else {}
        ctx.update(internal={"programmed": sorted(key_of(d, g) for d, g in mine.items()) or None})
        return None

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Route tables have no action {action!r}.")
