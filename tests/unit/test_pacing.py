"""When a running Hetzner action is looked at again. No I/O."""

from __future__ import annotations

import pytest

from secapi_hetzner.engine.pacing import MAX_PAUSE_SECONDS, TYPICAL_SECONDS, ActionPacing


def test_the_first_read_comes_just_after_the_expected_end() -> None:
    pacing = ActionPacing()
    typical = TYPICAL_SECONDS["create_server"]  # 10 s
    assert pacing.pause("create_server", 0.0, poll=0.5) == pytest.approx(typical + 0.5)  # half a second late
    assert pacing.pause("create_server", 2.0, poll=0.1) == pytest.approx(typical + 0.5 - 2.0)
    # then every tenth of the expected time (at most a second); once far later than expected, a third of
    # the time run so far
    assert pacing.pause("create_server", 10.6, poll=0.5) == pytest.approx(1.0)
    assert pacing.pause("create_server", 14.0, poll=0.5) == pytest.approx(1.0)
    assert pacing.pause("create_server", 24.0, poll=0.5) == pytest.approx(8.0)
    assert pacing.pause("create_server", 400.0, poll=0.5) == MAX_PAUSE_SECONDS
    short = ActionPacing()  # a short action: a tenth of its time late, not half a second
    short.observe("start_server", 1.0)
    assert short.pause("start_server", 0.0, poll=0.01) == pytest.approx(1.1)


def test_an_action_of_the_expected_length_costs_one_read() -> None:
    pacing = ActionPacing()
    for seconds in (5.0, 0.5, 30.0):
        pacing.observe("reboot_server", seconds)
        pacing.observe("reboot_server", seconds)
        pacing.observe("reboot_server", seconds)
        expected = pacing.expected("reboot_server")
        first = pacing.pause("reboot_server", 0.0, poll=0.01)
        assert expected <= first <= expected + 0.5  # read once it ended, within half a second


def test_actions_this_process_started_are_timed_locally() -> None:
    pacing = ActionPacing()
    assert pacing.elapsed(7) is None  # started elsewhere: Hetzner's date (to the second) tells
    pacing.started(7)
    elapsed = pacing.elapsed(7)
    assert elapsed is not None and 0.0 <= elapsed < 1.0


def test_it_learns_how_long_this_hetzner_takes() -> None:
    pacing = ActionPacing()
    pacing.observe("create_volume", 0.6)  # 5 x faster than typical
    assert pacing.expected("create_volume") == pytest.approx(0.6)
    assert pacing.expected("create_server") == pytest.approx(TYPICAL_SECONDS["create_server"] * 0.2)
    pacing.observe("create_server", 2.0)
    pacing.observe("create_server", 4.0)
    assert pacing.expected("create_server") == pytest.approx(2.6)  # moves towards the newest


def test_the_poll_interval_is_a_floor_and_scale_zero_means_instant() -> None:
    pacing = ActionPacing(scale=0.0)
    assert pacing.pause("create_server", 0.0, poll=0.01) == 0.01
    assert ActionPacing().pause("unknown_command", 100.0, poll=0.5) <= MAX_PAUSE_SECONDS
    pacing.observe("x", None)  # an action without timestamps teaches nothing
    assert pacing.expected("x") == 0.0
