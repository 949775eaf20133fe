"""THE state machine over every (state, event) pair, and the condition history it writes. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from secapi_hetzner.lifecycle import MAX_CONDITIONS, Event, State, next_state, transition, walk

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
S, E = State, Event
#: the whole table, written out: (state or None for a new resource, event) → next state (None: unchanged)
EXPECTED: dict[tuple[State | None, Event], State | None] = {
    (None, E.ACCEPTED): S.PENDING,
    (S.PENDING, E.PROVISIONING): S.CREATING, (S.ERROR, E.PROVISIONING): S.CREATING,
    (S.PENDING, E.PROVISIONED): S.ACTIVE, (S.CREATING, E.PROVISIONED): S.ACTIVE,
    (S.UPDATING, E.PROVISIONED): S.ACTIVE, (S.ERROR, E.PROVISIONED): S.ACTIVE,
    (S.ACTIVE, E.CHANGED): S.UPDATING, (S.ERROR, E.CHANGED): S.UPDATING,
    **{(s, E.DELETE): S.DELETING for s in State if s is not S.DELETING},
    **{(s, E.FAILED): S.ERROR for s in State if s not in (S.DELETING, S.ERROR)},
}
PAIRS = [(state, event) for state in [None, *State] for event in Event]


@pytest.mark.parametrize(("state", "event"), PAIRS, ids=[f"{s}-{e}" for s, e in PAIRS])
def test_every_state_and_event(state: State | None, event: Event) -> None:
    assert next_state(state, event) == EXPECTED.get((state, event))
    before = {"state": str(state), "conditions": [{"state": str(state), "lastTransitionAt": "2026-01-01T00:00:00Z"}]} \
        if state is not None else None
    after = transition(before, event, T0)
    target = EXPECTED.get((state, event))
    if target is None:
        assert after == (before or {}), "an event that changes nothing writes nothing"
    else:
        assert after["state"] == target
        assert after["conditions"][0]["state"] == target
        assert len(after["conditions"]) == (len(before["conditions"]) if before else 0) + 1


def test_the_conformance_suites_histories() -> None:
    created = walk(None, [E.ACCEPTED, E.PROVISIONING, E.PROVISIONED], T0)
    assert [c["state"] for c in created["conditions"]] == ["active", "creating", "pending"]
    updated = walk(created, [E.CHANGED, E.PROVISIONED], T0)
    assert [c["state"] for c in updated["conditions"]] == ["active", "updating", "active", "creating", "pending"]
    history = updated
    for _ in range(3):  # start, restart, stop
        history = walk(history, [E.CHANGED, E.PROVISIONED], T0)
    assert len(history["conditions"]) == 11


def test_forced_conditions_repeat_a_state_with_a_reason() -> None:
    failed = transition({"state": "active", "conditions": []}, E.FAILED, T0, reason="Boom", message="it broke")
    again = transition(failed, E.FAILED, T0, reason="Boom", message="again", force=True)
    assert [c.get("message") for c in again["conditions"]] == ["again", "it broke"]
    assert transition(failed, E.FAILED, T0) == failed  # not forced: nothing new


def test_time_never_goes_back_and_history_is_bounded() -> None:
    status = walk(None, [E.ACCEPTED], T0)
    earlier = transition(status, E.PROVISIONING, T0 - timedelta(seconds=5))  # another replica's clock
    assert earlier["conditions"][0]["lastTransitionAt"] == status["conditions"][0]["lastTransitionAt"]
    for _ in range(40):
        status = walk(status, [E.CHANGED, E.PROVISIONED], T0)
    assert len(status["conditions"]) == MAX_CONDITIONS
    stamps = [c["lastTransitionAt"] for c in status["conditions"]]
    assert stamps == sorted(stamps, reverse=True)
