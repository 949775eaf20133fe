"""The request budget's math and priorities (in-memory bucket, injected clock), and the readiness cache."""

from __future__ import annotations

import threading

import pytest

from secapi_hetzner.app.health import HetznerCheck
from secapi_hetzner.hetzner import HetznerTransient, Priority, RequestBudget, reserved

BACKGROUND = Priority.BACKGROUND
INTERACTIVE = Priority.INTERACTIVE


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_gives_its_capacity_then_asks_to_wait_one_refill() -> None:
    clock = Clock()
    budget = RequestBudget(3600, clock=clock)  # refills one per second
    assert all(budget.take(INTERACTIVE) == 0.0 for _ in range(3600))
    assert budget.take(INTERACTIVE) == pytest.approx(1.0)
    clock.now += 1.0
    assert budget.take(INTERACTIVE) == 0.0
    assert budget.take(INTERACTIVE) == pytest.approx(1.0)


def test_refill_never_exceeds_capacity() -> None:
    clock = Clock()
    budget = RequestBudget(10, clock=clock)
    clock.now += 10 * 3600
    assert budget.remaining == 10


def test_background_work_leaves_the_reserve_for_interactive_reads() -> None:
    clock = Clock()
    budget = RequestBudget(100, clock=clock)  # 10 % = 10 requests reserved
    assert reserved(BACKGROUND, 100) == 10 and reserved(INTERACTIVE, 100) == 0
    granted = 0
    while budget.take(BACKGROUND) == 0.0:
        granted += 1
    assert granted == 90
    # background waits for the bucket to climb back above the reserve: 1 request at 100/h = 36 s
    assert budget.take(BACKGROUND) == pytest.approx(36.0)
    # interactive reads still get the last ten
    assert [budget.take(INTERACTIVE) for _ in range(10)] == [0.0] * 10
    assert budget.take(INTERACTIVE) == pytest.approx(36.0)
    assert budget.take(BACKGROUND) == pytest.approx(11 * 36.0)


def test_small_budgets_reserve_whole_requests_only() -> None:
    assert reserved(BACKGROUND, 9) == 0
    budget = RequestBudget(2, clock=Clock())
    assert [budget.take(BACKGROUND), budget.take(BACKGROUND)] == [0.0, 0.0]


def test_hetzner_saying_fewer_remain_lowers_the_count_never_raises_it() -> None:
    clock = Clock()
    budget = RequestBudget(3600, clock=clock)
    budget.observe(remaining=5, reset=None)
    assert budget.remaining == 5
    budget.observe(remaining=3000, reset=None)  # more than we think: ignored
    assert budget.remaining == 5


def test_a_429_empties_the_bucket_until_the_next_refill() -> None:
    clock = Clock()
    budget = RequestBudget(3600, clock=clock)
    budget.observe(remaining=0, reset=1_000_000.0, limit=3600)
    assert budget.take(INTERACTIVE) == pytest.approx(1.0)
    clock.now += 1.0
    assert budget.take(INTERACTIVE) == 0.0


def test_the_reserve_is_a_share_of_hetzners_limit_when_that_is_lower() -> None:
    clock = Clock()
    budget = RequestBudget(100_000, clock=clock)  # configured above Hetzner's limit
    budget.observe(remaining=3590, reset=None, limit=3600)
    assert budget.remaining == 3590
    assert budget.take(BACKGROUND) == 0.0  # the reserve is 360 of Hetzner's 3600, not 10,000
    budget.observe(remaining=360, reset=None, limit=3600)
    assert budget.take(BACKGROUND) > 0 and budget.take(INTERACTIVE) == 0.0


def test_threads_never_take_more_than_the_bucket_holds() -> None:
    budget = RequestBudget(500, clock=Clock())
    taken: list[int] = []

    def spend() -> None:
        taken.append(sum(1 for _ in range(200) if budget.take(INTERACTIVE) == 0.0))

    threads = [threading.Thread(target=spend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(taken) == 500


def test_readiness_pings_hetzner_at_most_once_per_period_and_in_the_background() -> None:
    clock = Clock()
    pings: list[float] = []
    failing = [False]
    done = threading.Event()

    def ping() -> None:
        pings.append(clock.now)
        done.set()
        if failing[0]:
            raise HetznerTransient("unavailable", "down")

    check = HetznerCheck(ping, every=60.0, clock=clock)
    assert check.outcome() == "ok" and len(pings) == 1  # the first probe waits for the first ping
    for _ in range(100):
        assert check.outcome() == "ok"
    clock.now = 59.0
    assert check.outcome() == "ok" and len(pings) == 1
    failing[0] = True
    done.clear()
    clock.now = 60.0
    assert check.outcome() == "ok"  # stale: served while one background refresh runs
    assert done.wait(5)
    for _ in range(50):
        if check.outcome() != "ok":
            break
        threading.Event().wait(0.01)
    assert check.outcome() == "unreachable (unavailable)"
    assert len(pings) == 2
