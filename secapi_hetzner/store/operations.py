"""The durable operation queue in PostgreSQL.

An *operation* is our unit of work ("converge resource X", "delete X", "start X"); an *action* is
Hetzner's. Accepting a mutation writes the resource and enqueues in one transaction. Workers claim
with ``FOR UPDATE SKIP LOCKED``; partial unique indexes keep one ``todo`` per (resource, reason) and
one ``doing`` per resource, so replicas never work on one resource at once. Workers heart-beat; the
operations of a silent worker go back to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg

from secapi_hetzner import tracing
from secapi_hetzner.store import Database
from secapi_hetzner.store.db import Conn, Row


@dataclass(frozen=True)
class Operation:
    id: int
    resource_id: UUID
    reason: str
    attempts: int
    step: str
    action_id: int | None
    op_key: str
    #: failures so far (transient Hetzner errors, lost answers, bugs): what backoff and give-up count
    failures: int = 0
    created_at: datetime | None = None
    #: the W3C traceparent of the request that enqueued it ("" when it was not traced)
    traceparent: str = ""

    @classmethod
    def from_row(cls, row: Row) -> Operation:
        return cls(row["id"], row["resource_id"], row["reason"], row["attempts"], row["step"], row["action_id"],
                   row["op_key"], row.get("failures", 0), row.get("created_at"), row.get("traceparent") or "")


class Queue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(self, conn: Conn, resource_id: UUID, reason: str) -> None:
        if reason == "delete":
            self.db.run("cancel_operations", {"resource_id": resource_id}, conn)
        self.db.run("enqueue_operation", {"resource_id": resource_id, "reason": reason,
                                          "traceparent": tracing.current_traceparent()}, conn)
        self.db.run("notify_operations", {}, conn)

    def claim(self, worker_id: str) -> Operation | None:
        try:
            row = self.db.one("claim_operation", {"worker_id": worker_id})
        except psycopg.errors.UniqueViolation:
            return None  # another replica claimed an operation of the same resource first
        return Operation.from_row(row) if row else None

    def progress(self, op: Operation, step: str, action_id: int | None) -> None:
        self.db.run("save_operation_progress", {"id": op.id, "step": step, "action_id": action_id})

    def finish(self, op: Operation, status: str = "succeeded", error: str = "", worker_id: str | None = None) -> bool:
        """Record the end of ``op``; False when ``worker_id`` no longer holds it (its outcome is dropped)."""
        params = {"id": op.id, "status": status, "error": error[:4000], "worker_id": worker_id}
        return self.db.run("finish_operation", params) > 0

    def holds(self, op: Operation, worker_id: str) -> bool:
        return self.db.one("holds_operation", {"id": op.id, "worker_id": worker_id}) is not None

    def retry(self, op: Operation, delay: float, error: str = "", worker_id: str | None = None, *,
              failed: bool = False) -> None:
        try:
            self.db.run("retry_operation", {"id": op.id, "delay": delay, "error": error[:4000],
                                            "worker_id": worker_id, "failed": failed})
        except psycopg.errors.UniqueViolation:
            # The same request came again while this run was in flight and waits as its own 'todo'
            # (one per resource and reason): that one carries on from here, with this run's progress.
            for waiting in self.pending_for(op.resource_id):
                if waiting.reason == op.reason and waiting.id != op.id:
                    self.progress(waiting, op.step, op.action_id)
            self.finish(op, "cancelled", "superseded by the same request, made again", worker_id)

    def waiting_on_actions(self, tenant: str) -> dict[int, int]:
        """Waiting operations of a tenant that follow a Hetzner action: operation id → action id."""
        return {row["id"]: row["action_id"] for row in self.db.all("operations_waiting_on_actions",
                                                                      {"tenant": tenant})}

    def wake(self, operation_ids: list[int]) -> None:
        self.db.run("wake_operations", {"ids": operation_ids})

    def register(self, worker_id: str) -> None:
        self.db.run("register_worker", {"id": worker_id})

    def unregister(self, worker_id: str) -> None:
        with self.db.transaction() as conn:
            self._release(conn, worker_id)
            self.db.run("delete_worker", {"id": worker_id}, conn)

    def _release(self, conn: Conn, worker_id: str) -> int:
        """Return a worker's in-flight operations to the queue, folding each into a waiting repeat."""
        self.db.run("fold_worker_operations", {"id": worker_id}, conn)
        self.db.run("cancel_folded_operations", {"id": worker_id}, conn)
        return self.db.run("release_worker_operations", {"id": worker_id}, conn)

    def return_held(self, worker_id: str, delay: float, error: str) -> int:
        """A live worker's in-flight operations back to the queue after ``delay`` seconds, a failure counted
        (it lost track of them: the database went away mid-run); folded into a waiting repeat like
        :meth:`_release`. How many went back."""
        with self.db.transaction() as conn:
            self.db.run("fold_worker_operations", {"id": worker_id}, conn)
            self.db.run("cancel_folded_operations", {"id": worker_id}, conn)
            return self.db.run("return_held_operations", {"id": worker_id, "delay": delay, "error": error[:4000]},
                               conn)

    def requeue_stalled(self, stale_after: float) -> int:
        """Return the operations of silent workers to the queue; how many were returned."""
        released = 0
        with self.db.transaction() as conn:
            for row in self.db.all("stale_workers", {"stale_after": stale_after}, conn):
                released += self._release(conn, row["id"])
                self.db.run("delete_worker", {"id": row["id"]}, conn)
            released += len(self.db.all("orphaned_operations", None, conn))
        return released

    def next_due_in(self) -> float | None:
        row = self.db.one("next_due_in")
        return None if row is None or row["seconds"] is None else max(0.0, float(row["seconds"]))

    def unfinished(self) -> int:
        row = self.db.one("unfinished_operations")
        return int(row["n"]) if row else 0

    def pending_for(self, resource_id: UUID) -> list[Operation]:
        return [Operation.from_row(row) for row in self.db.all("pending_operations", {"resource_id": resource_id})]

    def counts(self) -> dict[str, int]:
        return {row["status"]: int(row["n"]) for row in self.db.all("operation_counts")}
