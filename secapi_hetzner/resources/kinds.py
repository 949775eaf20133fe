"""The kind contract: what the engine knows about each SECA kind, and the hooks a kind implements.

A kind is a subclass of :class:`Kind` that sets the class attributes and overrides the hooks it
needs; the resource service applies them on every request and the runner on every step, so no
handler passes a rule in. A kind never edits another kind's rows: it calls that kind's small API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol
from uuid import UUID

from secapi_hetzner import errors
from secapi_hetzner.engine.observe import Collection, Drift, Inventory
from secapi_hetzner.records import InternalRecord, NoRecord
from secapi_hetzner.scope import Api
from secapi_hetzner.store.db import Conn
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository

if TYPE_CHECKING:
    from secapi_hetzner.engine.context import StepContext
    from secapi_hetzner.engine.outcome import Outcome
    from secapi_hetzner.resources.admission import Admission

Scope = Literal["tenant", "workspace", "network"]


class Reconciler(Protocol):
    """Worker-side steps of a kind. Each step is idempotent and records what it learned first."""

    def apply(self, ctx: StepContext) -> Outcome: ...

    def delete(self, ctx: StepContext) -> Outcome: ...

    def act(self, ctx: StepContext, action: str) -> Outcome: ...


@dataclass(frozen=True)
class DeleteCheck:
    """What a delete refusal may look at, read inside the deleting transaction only. A query on a
    second pooled connection while the first holds the row lock starves the pool under concurrent
    writers of one resource (every writer waits for the lock holding a connection, the holder waits
    for a connection), so the queries are offered here, bound to the transaction's connection."""

    repository: ResourceRepository
    conn: Conn

    def referencing(self, tenant: str, workspace: str, kind: str, needle: str) -> list[Resource]:
        """Live resources of ``kind`` in the workspace whose spec contains ``needle``."""
        return self.repository.referencing(tenant, workspace, kind, needle, self.conn)

    def referencing_anywhere(self, kind: str, needle: str) -> list[Resource]:
        """Live resources of ``kind`` in any workspace whose spec contains ``needle``."""
        return self.repository.referencing_anywhere(kind, needle, self.conn)

    def inside(self, tenant: str, workspace: str, parent: str, kind: str, size: int = 5) -> list[Resource]:
        """Live resources of ``kind`` inside the network ``parent`` (the first ``size``, in name order)."""
        return self.repository.batch(Key(tenant, workspace, parent, kind, ""), after="", deleted="exclude",
                                     size=size, conn=self.conn)

    def workspace_children(self, tenant: str, workspace: str) -> int:
        """How many live resources the workspace holds."""
        return self.repository.count_workspace_children(tenant, workspace, self.conn)


@dataclass(frozen=True)
class UpdateAnswer:
    """See :meth:`Kind.update_answer`."""

    work: bool
    reason: str = ""
    message: str = ""


class Kind:
    api: ClassVar[Api]
    kind: ClassVar[str]          # metadata.kind
    collection: ClassVar[str]    # the path segment: instances, block-storages, workspaces ...
    scope: ClassVar[Scope]
    actions: ClassVar[frozenset[str]] = frozenset()
    #: the Hetzner collections the drift check lists for this kind (objects labelled with its name)
    observes: ClassVar[frozenset[Collection]] = frozenset()
    #: None for kinds with no Hetzner object: their transitions complete inside the request
    reconciler: Reconciler | None = None
    #: the type of the internal record the kind keeps (Hetzner ids, placement, intents)
    record: ClassVar[type[InternalRecord]] = NoRecord
    #: its names are the scope of other resources (a workspace, a network): at most 64 characters
    names_a_scope: ClassVar[bool] = False
    #: kinds inside this resource (``parent`` = its name) that its delete deletes along (a network's
    #: subnets); each is checked with its own ``refuse_delete`` first
    deletes_along: ClassVar[tuple[str, ...]] = ()
    #: what :meth:`live_status` reads besides each resource's own row: nothing ("row"), the number of live
    #: resources inside it ("children": a workspace's resourceCount, see :meth:`live_status_of_counts`), or
    #: which resources of the kinds :attr:`live_targets` exist beside it, in its workspace ("targets": a
    #: route table's targets; its queries run in a worker thread, once for a page). A remembered answer is
    #: kept by the row's version and that input (services/reads.py).
    live_reads: ClassVar[Literal["row", "children", "targets"]] = "row"
    #: for a "targets" kind: the kinds whose existence beside it is all its live status reads
    live_targets: ClassVar[tuple[str, ...]] = ()

    @property
    def instant(self) -> bool:
        return self.reconciler is None

    def admit(self, request: Admission) -> dict[str, Any]:
        """Check a PUT (412/404 naming the field); return the status fields a new resource starts with."""
        return {}

    def update_answer(self, request: Admission) -> UpdateAnswer | None:
        """How an accepted update of an ``active`` resource is answered. None (the default): ``updating``, and
        an operation converges it. ``UpdateAnswer(work=False)``: nothing changes on Hetzner, so it is recorded
        (updating, then active) inside the request, with no operation. ``UpdateAnswer(work=True, reason,
        message)``: answered ``active`` at once, as the conformance suite demands of some kinds, while an
        operation converges it; the condition's reason says what is still pending and the step clears it."""
        return None

    def initial_record(self) -> dict[str, Any]:
        """The internal record a new resource starts with (JSON of ``record``)."""
        return self.record().to_json()

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        """Raise (412 naming what holds it) when ``resource`` may not be deleted now."""

    def check_action(self, resource: Resource, action: str) -> dict[str, Any]:
        """Decide an action against the resource; return its new internal record (JSON)."""
        raise errors.NotFound(f"{self.kind} has no action {action!r}.")

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        """Status fields computed when resources are read, for a whole page at once (no query per item)."""
        return {}

    def live_status_of_counts(self, resources: Sequence[Resource],
                              children: Mapping[UUID, int]) -> dict[UUID, dict[str, Any]]:
        """The same, given how many live resources each holds (kinds whose :attr:`live_reads` is "children")."""
        return {}

    def observe(self, resource: Resource, inventory: Inventory) -> Drift | None:
        """Compare a settled resource with what Hetzner has; None when they agree."""
        return None
