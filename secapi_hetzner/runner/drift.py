"""Drift: notice Hetzner objects deleted or changed outside the service, and say so in status.

One pass lists, per Hetzner project in use, the managed objects of every collection a kind observes —
one paged list call per collection and project (label selectors), never one GET per resource — and
asks each kind to compare its settled resources with them (``Kind.observe``). A failure puts the
resource in ``error`` with the kind's condition; fields to reflect (a power change made outside) are
merged into an active resource. One replica at a time runs it (a PostgreSQL advisory lock).

Once per project across all processes: the worker loop of every process calls :meth:`run_due` every
``SECA_RESYNC_SECONDS``, and a project is checked only when no process checked it within its interval
(``drift_runs`` holds the last run per project; claiming it is one atomic statement). The interval
adapts to the project's size so that idle drift stays within :data:`DRIFT_CALLS_PER_HOUR`: a round costs
one list call per page (at most 50 objects) of each observed collection, so the interval is at least
``calls per round × 3600 / DRIFT_CALLS_PER_HOUR`` seconds (100 instances with data volumes: 4 calls,
one round every 2 minutes). :meth:`run_once` checks every project now (tests, operators).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from secapi_hetzner import metrics
from secapi_hetzner.clock import now
from secapi_hetzner.engine.context import KIND, MANAGED
from secapi_hetzner.engine.observe import Collection, Drift, Inventory
from secapi_hetzner.hetzner import Gateway
from secapi_hetzner.hetzner.core import PER_PAGE
from secapi_hetzner.lifecycle import Event, State, transition
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.settings import RESYNC_SECONDS
from secapi_hetzner.store import Database
from secapi_hetzner.store.repository import Resource, ResourceRepository

log = logging.getLogger(__name__)
DRIFT_LOCK = 727274
#: states in which the engine is working on a resource right now: drift leaves it alone
BUSY = (State.PENDING, State.CREATING, State.DELETING)
#: what idle drift may cost a Hetzner project per hour (issue 7: 100 instances within 120 calls an hour)
DRIFT_CALLS_PER_HOUR = 120
#: a worker loop that comes round a little early still counts as on time (seconds); the loops run every
#: ``every`` seconds, so with the default 60 s the rounds fall on whole minutes at or past the interval
SLACK = 2.0


@dataclass
class DriftReport:
    projects: int = 0
    checked: int = 0
    drifted: list[str] = field(default_factory=list)


#: how each Hetzner collection a kind may observe is listed (by label selector)
FINDERS: dict[Collection, Callable[[Gateway, str], Sequence[Any]]] = {
    "servers": Gateway.find_servers, "volumes": Gateway.find_volumes, "primary_ips": Gateway.find_primary_ips,
    "firewalls": Gateway.find_firewalls, "networks": Gateway.find_networks,
}


class DriftReconciler:
    def __init__(self, db: Database, gateway_for: Callable[[Resource], Gateway], kinds: list[Kind], *,
                 every: float = RESYNC_SECONDS) -> None:
        self.db = db
        self.repository = ResourceRepository(db)
        self.gateway_for = gateway_for
        self.kinds = {kind.kind: kind for kind in kinds if kind.observes}
        self.every = every

    def run_once(self) -> DriftReport:
        """Check every project now (whenever another process checked it last)."""
        return self._locked(due_only=False)

    def run_due(self) -> DriftReport:
        """Check the projects no process checked within their interval (what the worker loop calls)."""
        return self._locked(due_only=True)

    def interval_for(self, resources: list[Resource]) -> float:
        """Seconds between two rounds for one project: ``every``, or longer so a round's list calls
        stay within :data:`DRIFT_CALLS_PER_HOUR`."""
        return max(self.every, self.calls_per_round(resources) * 3600.0 / DRIFT_CALLS_PER_HOUR)

    def calls_per_round(self, resources: list[Resource]) -> int:
        """List calls one round costs: a page per 50 objects of each (collection, kind) listed."""
        counts: dict[str, int] = {}
        for resource in resources:
            counts[resource.key.kind] = counts.get(resource.key.kind, 0) + 1
        return sum(max(1, math.ceil(n / PER_PAGE)) * len(self.kinds[kind].observes) for kind, n in counts.items())

    def _locked(self, *, due_only: bool) -> DriftReport:
        report = DriftReport()
        with self.db.connection() as conn:
            locked = conn.execute("SELECT pg_try_advisory_lock(%s) AS locked", (DRIFT_LOCK,)).fetchone()
            if not locked or not locked["locked"]:
                return report
            try:
                self._check(report, due_only)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (DRIFT_LOCK,))
        return report

    def _claim(self, project: str, interval: float, due_only: bool) -> bool:
        """Record this run of ``project``; False when another process ran it within ``interval``."""
        claimed = self.db.one("claim_drift_run", {"project": project,
                                                  "interval": max(0.0, interval - SLACK) if due_only else 0.0})
        return claimed is not None

    def _check(self, report: DriftReport, due_only: bool) -> None:
        by_project: dict[str, tuple[Gateway, list[Resource]]] = {}
        for resource in self.repository.live_of_kinds(sorted(self.kinds)):
            gateway = self.gateway_for(resource)
            by_project.setdefault(gateway.project, (gateway, []))[1].append(resource)
        for gateway, resources in by_project.values():
            if not self._claim(gateway.project, self.interval_for(resources), due_only):
                continue
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
        listed: dict[str, dict[int, Any]] = {}
        for collection, name in sorted(wanted):
            found = FINDERS[collection](gateway, f"{MANAGED}=true,{KIND}={name}")
            listed.setdefault(collection, {}).update({obj.id: obj for obj in found})
        return Inventory(**listed)

    def _apply(self, resource: Resource, drift: Drift) -> bool:
        """Write what the kind found; True when it was a failure (drift to report)."""
        with self.db.transaction() as conn:
            current = self.repository.get_by_id(resource.id, conn, lock=True)
            if current is None or current.state in (State.DELETING, State.ERROR):
                return False
            if self.db.all("pending_operations", {"resource_id": current.id}, conn):
                return False  # the engine is converging it (a NIC or public IP woke it): not drift
            if drift.failed:
                status = transition(current.status, Event.FAILED, now(), reason=drift.reason, message=drift.message)
                self.repository.save(conn, current.with_changes(status=status))
            elif current.state == State.ACTIVE:
                self.repository.save(conn, current.with_changes(status={**current.status, **drift.status},
                                                                internal={**current.internal, **drift.internal}))
                return False
            else:
                return False
        metrics.DRIFT_FINDINGS.labels(resource.key.kind).inc()
        log.warning("drift: %s/%s: %s", resource.key.kind, resource.key.name, drift.message)
        return True
