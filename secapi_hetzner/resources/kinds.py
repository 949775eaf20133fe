"""What the engine knows about each SECA kind, and the interfaces a kind implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from secapi_hetzner.scope import Api
from secapi_hetzner.store.resources import Resource, Resources

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
class Kind:
    api: Api
    kind: str            # metadata.kind
    collection: str      # the path segment: instances, block-storages, workspaces ...
    scope: Scope
    #: checks the request and returns status fields to start with (e.g. powerState); raises errors
    admit: Callable[[Admission], dict[str, Any]]
    #: None for kinds with no Hetzner object: their transitions complete inside the request
    reconciler: Reconciler | None = None
    actions: frozenset[str] = field(default_factory=frozenset)
    #: status fields computed when the resource is read (e.g. a workspace's resourceCount)
    live_status: Callable[[Resources, Resource], dict[str, Any]] | None = None

    @property
    def instant(self) -> bool:
        return self.reconciler is None
