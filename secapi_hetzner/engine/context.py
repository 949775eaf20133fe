"""What a reconcile step sees: the resource, its operation, the Hetzner gateway, and safe writes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.engine.queue import Operation, Queue
from secapi_hetzner.hetzner import Gateway
from secapi_hetzner.lifecycle import Event, transition
from secapi_hetzner.resources.service import now
from secapi_hetzner.store import Database
from secapi_hetzner.store.resources import Key, Resource, Resources

LABEL_PREFIX = "secapi.cloud"
MANAGED = f"{LABEL_PREFIX}/managed"
RESOURCE = f"{LABEL_PREFIX}/resource"
KIND = f"{LABEL_PREFIX}/kind"
ROLE = f"{LABEL_PREFIX}/role"


def hetzner_name(name: str, resource_id: str, limit: int = 63) -> str:
    """A Hetzner object name: the SECA name made hostname-safe, plus a stable suffix that keeps it
    unique in the project (two workspaces may use the same SECA name)."""
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "seca"
    suffix = resource_id.replace("-", "")[:8]
    return f"{safe[: limit - len(suffix) - 1].rstrip('-')}-{suffix}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def label_value(text: str) -> str:
    """A Hetzner label value: at most 63 characters, alphanumeric at both ends, ``-_.`` inside."""
    value = re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:63]
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", value)


@dataclass
class StepContext:
    db: Database
    resources: Resources
    queue: Queue
    gateway: Gateway
    operation: Operation
    resource: Resource
    #: server type name → Hetzner architecture (x86, arm), from the cached catalog
    architecture_of: Callable[[str], str] = lambda name: "x86"
    shutdown_grace: float = 60.0
    action_poll: float = 0.5

    def ownership_labels(self, role: str = "main") -> dict[str, str]:
        """Labels on every Hetzner object the service creates: adoption and drift detection use them.

        Tenant and workspace names may hold any character, so they are carried as short hashes; the
        SECA name as a label-safe form (the database keeps the exact names)."""
        key = self.resource.key
        return {MANAGED: "true", RESOURCE: str(self.resource.id), KIND: key.kind, ROLE: role,
                f"{LABEL_PREFIX}/tenant": _digest(key.tenant), f"{LABEL_PREFIX}/workspace": _digest(key.workspace),
                f"{LABEL_PREFIX}/name": label_value(key.name), f"{LABEL_PREFIX}/operation": self.operation.op_key}

    def selector(self, role: str = "main") -> str:
        return f"{RESOURCE}={self.resource.id},{ROLE}={role}"

    def progress(self, step: str, action_id: int | None) -> None:
        """Record the Hetzner action being followed before anything else happens."""
        self.queue.progress(self.operation, step, action_id)
        self.operation = Operation(self.operation.id, self.operation.resource_id, self.operation.reason,
                                   self.operation.attempts, step, action_id, self.operation.op_key)

    def update(self, *, event: Event | None = None, status: dict[str, Any] | None = None,
               internal: dict[str, Any] | None = None, reason: str | None = None, message: str | None = None,
               force: bool = False) -> Resource:
        """Merge status fields and internal bookkeeping, apply a lifecycle event, and save."""
        with self.db.transaction() as conn:
            current = self.resources.get_by_id(self.resource.id, conn, lock=True)
            assert current is not None
            new_status = {**current.status, **(status or {})}
            if event is not None:
                new_status = transition(new_status, event, now(), reason=reason, message=message, force=force)
            new_internal = {**current.internal, **(internal or {})}
            if new_status == current.status and new_internal == current.internal:
                self.resource = current
                return current
            self.resource = self.resources.save(conn, current.with_changes(status=new_status, internal=new_internal))
            return self.resource

    def waiting_on(self, reason: str, message: str) -> None:
        """Say on the current condition which other resource this one waits for (no state change)."""
        with self.db.transaction() as conn:
            current = self.resources.get_by_id(self.resource.id, conn, lock=True)
            assert current is not None
            conditions = [dict(c) for c in current.status.get("conditions") or []]
            if not conditions or (conditions[0].get("reason"), conditions[0].get("message")) == (reason, message):
                self.resource = current
                return
            conditions[0].update(reason=reason, message=message)
            self.resource = self.resources.save(conn, current.with_changes(
                status={**current.status, "conditions": conditions}))

    def purge(self) -> None:
        with self.db.transaction() as conn:
            self.resources.purge(conn, self.resource.id)

    def lookup(self, kind: str, name: str, *, workspace: str | None = None) -> Resource | None:
        key = self.resource.key
        return self.resources.get(Key(key.tenant, key.workspace if workspace is None else workspace, "", kind, name))
