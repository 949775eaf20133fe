"""THE state machine of every SECA resource. Pure.

``status.state`` moves through pending → creating → active, active → updating → active,
any → deleting, and any → error; each change pushes a condition onto ``status.conditions``
(newest first, at most 32, timestamps never increasing along the list), so the history is the
full transition record that the conformance suite asserts.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

MAX_CONDITIONS = 32


class State(enum.StrEnum):
    PENDING = "pending"
    CREATING = "creating"
    ACTIVE = "active"
    UPDATING = "updating"
    DELETING = "deleting"
    ERROR = "error"


class Event(enum.StrEnum):
    ACCEPTED = "accepted"          # a create was accepted
    PROVISIONING = "provisioning"  # work on Hetzner started
    PROVISIONED = "provisioned"    # the resource exists and matches its spec
    CHANGED = "changed"            # an update or an action was accepted
    DELETE = "delete"              # a delete was accepted
    FAILED = "failed"              # the last operation failed for good


S, E = State, Event
#: (current state or None for a new resource, event) → next state. Pairs not listed keep the state.
TRANSITIONS: dict[tuple[State | None, Event], State] = {
    (None, E.ACCEPTED): S.PENDING,
    (S.PENDING, E.PROVISIONING): S.CREATING,
    (S.ERROR, E.PROVISIONING): S.CREATING,
    (S.PENDING, E.PROVISIONED): S.ACTIVE,
    (S.CREATING, E.PROVISIONED): S.ACTIVE,
    (S.UPDATING, E.PROVISIONED): S.ACTIVE,
    (S.ERROR, E.PROVISIONED): S.ACTIVE,
    (S.ACTIVE, E.CHANGED): S.UPDATING,
    (S.ERROR, E.CHANGED): S.UPDATING,
    **{(state, E.DELETE): S.DELETING for state in State},
    **{(state, E.FAILED): S.ERROR for state in State if state is not S.DELETING},
}


def next_state(current: State | None, event: Event) -> State | None:
    """The state after ``event``; None when the event does not change the state."""
    target = TRANSITIONS.get((current, event))
    return target if target is not None and target != current else None


def transition(status: dict[str, Any] | None, event: Event, now: datetime, *, reason: str | None = None,
               message: str | None = None, force: bool = False) -> dict[str, Any]:
    """Apply ``event`` to ``status`` (not modified) and return the new status.

    A condition is pushed when the state changes, or when ``force`` is set (an error repeated with a
    new message, or the completion of an action that did not change the state).
    """
    status = dict(status or {})
    current = State(status["state"]) if status.get("state") else None
    target = next_state(current, event)
    if target is None and not (force and current is not None):
        return status
    state = target or current
    assert state is not None
    conditions = list(status.get("conditions") or [])
    newest = conditions[0]["lastTransitionAt"] if conditions else None
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width: comparable as text
    if newest is not None and stamp < newest:  # clocks of two replicas: never go back in time
        stamp = newest
    condition: dict[str, Any] = {"state": str(state), "lastTransitionAt": stamp}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message[:32768]
    status["state"] = str(state)
    status["conditions"] = [condition, *conditions][:MAX_CONDITIONS]
    return status


def walk(status: dict[str, Any] | None, events: list[Event], now: datetime) -> dict[str, Any]:
    """Apply several events at one instant (instant resources: accepted → creating → active)."""
    result = status
    for event in events:
        result = transition(result, event, now)
    return result or {}
