"""Removing what a resource owns on Hetzner: the recorded object, and what a create whose answer was lost
may have left behind (found by the resource's ownership labels)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.hetzner import HetznerNotFound


class HasId(Protocol):
    @property
    def id(self) -> int: ...


def lost_create_possible(attempts: int | None, recorded: int | None) -> bool:
    """Could a create have made an object the record does not name? ``attempts``: creates sent (None: a
    record from before they were counted); a recorded object accounts for one of them."""
    return attempts is None or attempts > (1 if recorded else 0)


def remove_owned(ctx: StepContext, recorded: int | None, attempts: int | None, *, delete: Callable[[int], object],
                 find: Callable[[str], Iterable[HasId]], role: str = "main") -> None:
    """Delete the recorded object (one gone already is fine), then any other the resource owns when a
    create's answer may have been lost. For objects whose delete is immediate (no action to follow)."""
    if recorded:
        try:
            delete(recorded)
        except HetznerNotFound:
            pass  # deleted outside the service, or by an earlier run of this step
    if lost_create_possible(attempts, recorded):
        for leftover in find(ctx.selector(role)):
            delete(leftover.id)
