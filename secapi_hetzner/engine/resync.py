"""Drift: notice Hetzner objects deleted or changed outside the service, and say so in status.

One pass lists the managed servers and volumes of every Hetzner project in use — one paged list
call per kind and project (label selectors), never one GET per resource — and compares them with
the resources that own them. A server or volume that vanished, or a server whose type changed, puts
its resource in ``error`` with a condition naming what happened; a power change made outside is
reflected in ``powerState``. One replica at a time runs it (a PostgreSQL advisory lock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from secapi_hetzner.engine.context import KIND, MANAGED
from secapi_hetzner.hetzner import Gateway, HServer, HVolume
from secapi_hetzner.lifecycle import Event, State, transition
from secapi_hetzner.resources.instance.translate import power_state_from_server, ref_name
from secapi_hetzner.store import Database
from secapi_hetzner.store.resources import Resource, Resources

log = logging.getLogger(__name__)
RESYNC_SECONDS = 60.0


@dataclass
class DriftReport:
    projects: int = 0
    checked: int = 0
    drifted: list[str] = field(default_factory=list)


class DriftReconciler:
    def __init__(self, db: Database, gateway_for: Callable[[Resource], Gateway]) -> None:
        self.db = db
        self.resources = Resources(db)
        self.gateway_for = gateway_for

    def run_once(self) -> DriftReport:
        report = DriftReport()
        with self.db.connection() as conn:
            locked = conn.execute("SELECT pg_try_advisory_lock(727274) AS locked").fetchone()
            if not locked or not locked["locked"]:
                return report
            try:
                self._check(report)
            finally:
                conn.execute("SELECT pg_advisory_unlock(727274)")
        return report

    def _check(self, report: DriftReport) -> None:
        owned = [Resource.from_row(row) for row in self.db.all("live_placed_resources")]
        by_project: dict[str, tuple[Gateway, list[Resource]]] = {}
        for resource in owned:
            gateway = self.gateway_for(resource)
            by_project.setdefault(gateway.project, (gateway, []))[1].append(resource)
        for gateway, resources in by_project.values():
            report.projects += 1
            servers = {s.id: s for s in gateway.find_servers(f"{MANAGED}=true,{KIND}=instance")}
            volumes = {v.id: v for v in gateway.find_volumes(f"{MANAGED}=true,{KIND}=block-storage")}
            for resource in resources:
                report.checked += 1
                problem = self._compare(resource, servers, volumes)
                if problem:
                    report.drifted.append(f"{resource.key.kind}/{resource.key.name}")

    def _compare(self, resource: Resource, servers: dict[int, HServer], volumes: dict[int, HVolume]) -> bool:
        if resource.state in (State.PENDING, State.CREATING, State.DELETING):
            return False  # the engine is working on it right now
        if resource.key.kind == "instance" and resource.internal.get("server_id"):
            server = servers.get(int(resource.internal["server_id"]))
            if server is None:
                server_id = resource.internal["server_id"]
                return self._fail(resource, "DeletedOutsideService",
                                  f"Hetzner server {server_id} was deleted outside secapi-hetzner.")
            wanted = ref_name(resource.spec.get("skuRef"))
            if resource.state == State.ACTIVE and server.server_type != wanted:
                return self._fail(resource, "ChangedOutsideService",
                                  f"Hetzner server {server.id} is now {server.server_type}, not {wanted}.")
            self._reflect_power(resource, server)
        elif resource.key.kind == "block-storage" and resource.internal.get("volume_id"):
            if int(resource.internal["volume_id"]) not in volumes:
                volume_id = resource.internal["volume_id"]
                return self._fail(resource, "DeletedOutsideService",
                                  f"Hetzner volume {volume_id} was deleted outside secapi-hetzner.")
        return False

    def _fail(self, resource: Resource, reason: str, message: str) -> bool:
        with self.db.transaction() as conn:
            current = self.resources.get_by_id(resource.id, conn, lock=True)
            if current is None or current.state in (State.DELETING, State.ERROR):
                return False
            status = transition(current.status, Event.FAILED, datetime.now(UTC), reason=reason, message=message)
            self.resources.save(conn, current.with_changes(status=status))
        log.warning("drift: %s/%s: %s", resource.key.kind, resource.key.name, message)
        return True

    def _reflect_power(self, resource: Resource, server: HServer) -> None:
        power = power_state_from_server(server)
        if resource.state != State.ACTIVE or resource.status.get("powerState") == power:
            return
        with self.db.transaction() as conn:
            current = self.resources.get_by_id(resource.id, conn, lock=True)
            if current is None or current.state != State.ACTIVE:
                return
            since = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            status: dict[str, Any] = {**current.status, "powerState": power, "powerStateSince": since}
            self.resources.save(conn, current.with_changes(status=status, internal={**current.internal,
                                                                                     "power": power}))
