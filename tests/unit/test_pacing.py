"""When a running Hetzner action is looked at again. No I/O."""

from __future__ import annotations

import pytest

from secapi_hetzner.engine.pacing import MAX_PAUSE_SECONDS, TYPICAL_SECONDS, ActionPacing


def test_the_first_read_comes_near_the_typical_time() -> None:
    pacing = ActionPacing()
    assert pacing.pause("create_server", 0.0, poll=0.5) == pytest.approx(0.9 * TYPICAL_SECONDS["create_server"])
    assert pacing.pause("create_server", 8.0, poll=0.5) == pytest.approx(1.0)
    # then every tenth of the expected time; once far later than expected, a third of the time run so far
    assert pacing.pause("create_server", 12.0, poll=0.5) == pytest.approx(1.0)
    assert pacing.pause("create_server", 24.0, poll=0.5) == pytest.approx(8.0)
    assert pacing.pause("create_server", 2.0, poll=0.1) == pytest.approx(7.0)  # still before 90 %
    assert pacing.pause("create_server", 400.0, poll=0.5) == MAX_PAUSE_SECONDS


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
