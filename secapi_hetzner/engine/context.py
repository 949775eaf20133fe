"""What a reconcile step sees: the resource, its operation, the Hetzner gateway, and safe writes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from secapi_hetzner.clock import now
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.pacing import ActionPacing
from secapi_hetzner.engine.watch import ActionWatch
from secapi_hetzner.hetzner import Gateway
from secapi_hetzner.lifecycle import Event, transition
from secapi_hetzner.records import InternalRecord, NoRecord, merged
from secapi_hetzner.settings import EngineTimings
from secapi_hetzner.store import Database
from secapi_hetzner.store.operations import Operation, Queue
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository

#: the longest an operation waits for Hetzner (a snapshot of a large disk takes many minutes)
MAX_WAIT_SECONDS = 3600.0
LABEL_PREFIX = "secapi.cloud"
MANAGED = f"{LABEL_PREFIX}/managed"
RESOURCE = f"{LABEL_PREFIX}/resource"
KIND = f"{LABEL_PREFIX}/kind"
ROLE = f"{LABEL_PREFIX}/role"


def hetzner_name(name: str, resource_id: str, limit: int = 63, *, tag: str = "") -> str:
    """A Hetzner object name: the SECA name made hostname-safe, plus a stable suffix that keeps it
    unique in the project (two workspaces may use the same SECA name); ``tag`` (kept whole) tells
    apart two objects of one resource that exist at once (a moving instance's servers: the zone)."""
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "seca"
    suffix = resource_id.replace("-", "")[:8]
    if tag:
        suffix = f"{re.sub(r'[^a-z0-9-]+', '-', tag.lower()).strip('-')}-{suffix}"
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
    repository: ResourceRepository
    queue: Queue
    gateway: Gateway
    operation: Operation
    resource: Resource
    #: the kind's internal record type: every write to ``internal`` is checked against it
    record_type: type[InternalRecord] = NoRecord
    #: server type name → Hetzner architecture (x86, arm), from the cached catalog
    architecture_of: Callable[[str], str] = lambda name: "x86"
    #: (region, compute SKU name) → the Hetzner server type that realises it now, from the cached catalog
    resolve_sku: Callable[[str, str], str | None] = lambda region, sku: sku
    timings: EngineTimings = field(default_factory=EngineTimings)
    pacing: ActionPacing = field(default_factory=ActionPacing)
    watch: ActionWatch = field(default_factory=ActionWatch)

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
        self.operation = replace(self.operation, step=step, action_id=action_id)

    def update(self, *, event: Event | None = None, status: Mapping[str, Any] | None = None,
               internal: Mapping[str, Any] | None = None, reason: str | None = None, message: str | None = None,
               force: bool = False) -> Resource:
        """Merge status fields and record changes (``None`` clears a field), apply a lifecycle event, save."""
        with self.db.transaction() as conn:
            current = self.repository.get_by_id(self.resource.id, conn, lock=True)
            assert current is not None
            new_status = {**current.status, **(status or {})}
            if event is not None:
                new_status = transition(new_status, event, now(), reason=reason, message=message, force=force)
            new_internal = merged(self.record_type, current.internal, internal or {})
            if new_status == current.status and new_internal == current.internal:
                self.resource = current
                return current
            self.resource = self.repository.save(conn, current.with_changes(status=new_status, internal=new_internal))
            return self.resource

    def update_other(self, resource_id: UUID, record_type: type[InternalRecord], *,
                     status: Mapping[str, Any] | None = None, internal: Mapping[str, Any] | None = None,
                     deleting_too: bool = False) -> None:
        """The same for another resource, on behalf of its own kind's API (never called by another kind
        directly); a ``None`` status field is removed. Nothing happens to a resource that is gone, nor to
        one being deleted unless ``deleting_too``."""
        with self.db.transaction() as conn:
            current = self.repository.get_by_id(resource_id, conn, lock=True)
            if current is None or (current.deleted_at is not None and not deleting_too):
                return
            new_status = {**current.status, **(status or {})}
            new_status = {k: v for k, v in new_status.items() if v is not None}
            new_internal = merged(record_type, current.internal, internal or {})
            if new_status != current.status or new_internal != current.internal:
                self.repository.save(conn, current.with_changes(status=new_status, internal=new_internal))

    def wait(self, message: str, delay: float | None = None, *, reason: str = "Timeout") -> Outcome:
        """Come back later (a Hetzner action or object is still on its way), but never for ever: an
        operation that has waited ``MAX_WAIT_SECONDS`` ends in ``error``."""
        started = self.operation.created_at
        if started is not None and (now() - started).total_seconds() > MAX_WAIT_SECONDS:
            return Outcome.failed(reason, f"Gave up after waiting {MAX_WAIT_SECONDS / 60:.0f} minutes: {message}")
        return Outcome.retry(self.timings.action_poll if delay is None else delay, message)

    def waiting_on(self, reason: str, message: str) -> None:
        """Say on the current condition which other resource this one waits for (no state change)."""
        with self.db.transaction() as conn:
            current = self.repository.get_by_id(self.resource.id, conn, lock=True)
            assert current is not None
            conditions = [dict(c) for c in current.status.get("conditions") or []]
            if not conditions or (conditions[0].get("reason"), conditions[0].get("message")) == (reason, message):
                self.resource = current
                return
            conditions[0].update(reason=reason, message=message)
            self.resource = self.repository.save(conn, current.with_changes(
                status={**current.status, "conditions": conditions}))

    def after_error(self) -> bool:
        """The resource was in ``error`` until this operation (a PUT after a failure or after drift): what
        Hetzner holds is worth reading again rather than trusting the record."""
        conditions = self.resource.status.get("conditions") or []
        return any(c.get("state") == "error" for c in conditions[:2])

    def clear_note(self) -> None:
        """Drop the reason and message of the current condition (what was pending is done; no state change)."""
        with self.db.transaction() as conn:
            current = self.repository.get_by_id(self.resource.id, conn, lock=True)
            assert current is not None
            conditions = [dict(c) for c in current.status.get("conditions") or []]
            if not conditions or ("reason" not in conditions[0] and "message" not in conditions[0]):
                self.resource = current
                return
            conditions[0].pop("reason", None)
            conditions[0].pop("message", None)
            self.resource = self.repository.save(conn, current.with_changes(
                status={**current.status, "conditions": conditions}))

    def purge(self) -> None:
        with self.db.transaction() as conn:
            self.repository.purge(conn, self.resource.id)

    def lookup(self, kind: str, name: str, *, workspace: str | None = None) -> Resource | None:
        key = self.resource.key
        return self.repository.get(Key(key.tenant, key.workspace if workspace is None else workspace, "", kind, name))
