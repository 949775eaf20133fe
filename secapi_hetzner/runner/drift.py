"""Drift: notice Hetzner objects deleted or changed outside the service, and say so in status.

One pass lists, per Hetzner project in use, the managed objects of every collection a kind observes —
one paged list call per collection and project (label selectors), never one GET per resource — and
asks each kind to compare its settled resources with them (``Kind.observe``). A failure puts the
resource in ``error`` with the kind's condition; fields to reflect (a power change made outside) are
merged into an active resource. One replica at a time runs it (a PostgreSQL advisory lock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from secapi_hetzner.clock import now
from secapi_hetzner.engine.context import KIND, MANAGED
from secapi_hetzner.engine.observe import Drift, Inventory
from secapi_hetzner.hetzner import Gateway
from secapi_hetzner.lifecycle import Event, State, transition
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.store import Database
from secapi_hetzner.store.repository import Resource, ResourceRepository

log = logging.getLogger(__name__)
DRIFT_LOCK = 727274
#: states in which the engine is working on a resource right now: drift leaves it alone
BUSY = (State.PENDING, State.CREATING, State.DELETING)


@dataclass
class DriftReport:
    projects: int = 0
    checked: int = 0
    drifted: list[str] = field(default_factory=list)


class DriftReconciler:
    def __init__(self, db: Database, gateway_for: Callable[[Resource], Gateway], kinds: list[Kind]) -> None:
        self.db = db
        self.repository = ResourceRepository(db)
        self.gateway_for = gateway_for
        self.kinds = {kind.kind: kind for kind in kinds if kind.observes}

    def run_once(self) -> DriftReport:
        report = DriftReport()
        with self.db.connection() as conn:
            locked = conn.execute("SELECT pg_try_advisory_lock(%s) AS locked", (DRIFT_LOCK,)).fetchone()
            if not locked or not locked["locked"]:
                return report
            try:
                self._check(report)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (DRIFT_LOCK,))
        return report

    def _check(self, report: DriftReport) -> None:
        by_project: dict[str, tuple[Gateway, list[Resource]]] = {}
        for resource in self.repository.live_of_kinds(sorted(self.kinds)):
            gateway = self.gateway_for(resource)
            by_project.setdefault(gateway.project, (gateway, []))[1].append(resource)
        for gateway, resources in by_project.values():
            report.projects += 1
            inventory = self._inventory(gateway, {r.key.kind for r in resources})
            for resource in resources:
                report.checked += 1
                if resource.state in BUSY:
                    continue
                drift = self.kinds[resource.key.kind].observe(resource, inventory)
                if drift is not None and self._apply(resource, drift):
                    report.drifted.append(f"{resource.key.kind}/{resource.key.name}")

    def _inventory(self, gateway: Gateway, kinds: set[str]) -> Inventory:
        """One list call per observed collection, for the objects labelled with the observing kind."""
        wanted = {(collection, name) for name in kinds for collection in self.kinds[name].observes}
        servers = {s.id: s for name in sorted({k for c, k in wanted if c == "servers"})
                   for s in gateway.find_servers(f"{MANAGED}=true,{KIND}={name}")}
        volumes = {v.id: v for name in sorted({k for c, k in wanted if c == "volumes"})
                   for v in gateway.find_volumes(f"{MANAGED}=true,{KIND}={name}")}
        return Inventory(servers=servers, volumes=volumes)

    def _apply(self, resource: Resource, drift: Drift) -> bool:
        """Write what the kind found; True when it was a failure (drift to report)."""
        with self.db.transaction() as conn:
            current = self.repository.get_by_id(resource.id, conn, lock=True)
            if current is None or current.state in (State.DELETING, State.ERROR):
                return False
            if drift.failed:
                status = transition(current.status, Event.FAILED, now(), reason=drift.reason, message=drift.message)
                self.repository.save(conn, current.with_changes(status=status))
            elif current.state == State.ACTIVE:
                self.repository.save(conn, current.with_changes(status={**current.status, **drift.status},
                                                                internal={**current.internal, **drift.internal}))
                return False
            else:
                return False
        log.warning("drift: %s/%s: %s", resource.key.kind, resource.key.name, drift.message)
        return True
