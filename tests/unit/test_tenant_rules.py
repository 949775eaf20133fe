"""A process's copy of each tenant's rules (app/tenant_rules.py): reads on the event loop share one read per
tenant, renew the copy in the background before it is a second old, and wait only for a copy that is older;
a change made through the process is never hidden by a read that began before it; a failed read reaches
the requests that waited for it and is tried again by the next one."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from secapi_hetzner.app.tenant_rules import TenantRules
from secapi_hetzner.authz import Access, Rules, decide
from secapi_hetzner.errors import Unavailable

KEY = ("postgresql://db", "acme")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def role_rows(verb: str) -> list[dict[str, Any]]:
    permission = {"provider": "seca.compute/v1", "resources": ["instances/*"], "verb": [verb]}
    return [{"kind": "role", "name": "r", "spec": {"permissions": [permission]}},
            {"kind": "role-assignment", "name": "a", "spec": {"roles": ["r"], "subs": ["ana"], "scopes": [{}]}}]


class Database:
    """Answers ``access_rules`` with the current rows, counting reads; a read waits while ``gate`` is shut."""

    def __init__(self, verb: str = "get") -> None:
        self.rows = role_rows(verb)
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.failing = False

    async def read(self) -> list[dict[str, Any]]:
        self.reads += 1
        seen = list(self.rows)  # what the statement's snapshot holds
        await self.gate.wait()
        if self.failing:
            raise Unavailable("The database is not reachable.")
        return seen


def verbs(rules: Rules) -> set[str]:
    """What the rules let ana do to an instance."""
    return {verb for verb in ("get", "list") if decide(rules, "ana", Access("seca.compute/v1", verb, "instances/web",
                                                                           "acme", "", "ws"), owner="acme").allowed}


def on_a_loop(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))
    return run


@on_a_loop
async def test_requests_that_find_no_rules_share_one_read() -> None:
    cache, db = TenantRules(clock=Clock()), Database()
    db.gate.clear()
    asked = [asyncio.create_task(cache.read_on_loop(KEY, db.read)) for _ in range(20)]
    await asyncio.sleep(0)
    db.gate.set()
    answers = await asyncio.gather(*asked)
    assert db.reads == 1
    assert all(rules is answers[0] for rules in answers)


@on_a_loop
async def test_fresh_rules_are_used_without_a_read_and_renewed_in_the_background() -> None:
    clock, db = Clock(), Database("get")
    cache = TenantRules(clock=clock, fresh_for=1.0, renew_after=0.5)
    first = await cache.read_on_loop(KEY, db.read)
    clock.now += 0.4
    assert await cache.read_on_loop(KEY, db.read) is first and db.reads == 1
    clock.now += 0.2  # 0.6 s old: answered at once with the copy, one renewal starts
    db.rows, db.gate = role_rows("list"), asyncio.Event()
    assert await cache.read_on_loop(KEY, db.read) is first
    assert await cache.read_on_loop(KEY, db.read) is first
    for _ in range(3):
        await asyncio.sleep(0)
    assert db.reads == 2  # one renewal for both
    db.gate.set()
    await asyncio.sleep(0.01)
    renewed = await cache.read_on_loop(KEY, db.read)
    assert renewed is not first and verbs(renewed) == {"list"} and db.reads == 2


@on_a_loop
async def test_rules_a_second_old_are_waited_for_never_used() -> None:
    clock, db = Clock(), Database("get")
    cache = TenantRules(clock=clock)
    await cache.read_on_loop(KEY, db.read)
    db.rows = role_rows("list")
    clock.now += 1.0
    assert verbs(await cache.read_on_loop(KEY, db.read)) == {"list"}
    assert db.reads == 2


@on_a_loop
async def test_a_change_made_here_during_a_read_keeps_that_read_out() -> None:
    clock, db = Clock(), Database("get")
    cache = TenantRules(clock=clock)
    db.gate.clear()
    reading = asyncio.create_task(cache.read_on_loop(KEY, db.read))
    while db.reads == 0:
        await asyncio.sleep(0)
    db.rows = role_rows("list")
    cache.changed(KEY)  # a role written through this process after the read began
    db.gate.set()
    assert verbs(await reading) == {"get"}  # what that request decides with: its read predates the change
    assert cache.fresh(KEY) is None
    assert verbs(await cache.read_on_loop(KEY, db.read)) == {"list"} and db.reads == 2


@on_a_loop
async def test_a_failed_read_reaches_its_waiters_and_the_next_request_reads_again() -> None:
    db = Database()
    db.failing = True
    cache = TenantRules(clock=Clock())
    results = await asyncio.gather(*(cache.read_on_loop(KEY, db.read) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(result, Unavailable) for result in results) and db.reads == 1
    db.failing = False
    assert verbs(await cache.read_on_loop(KEY, db.read)) == {"get"} and db.reads == 2


@on_a_loop
async def test_a_failed_renewal_leaves_the_copy_until_it_is_a_second_old(caplog: pytest.LogCaptureFixture) -> None:
    clock, db = Clock(), Database()
    cache = TenantRules(clock=clock)
    first = await cache.read_on_loop(KEY, db.read)
    db.failing = True
    clock.now += 0.7
    assert await cache.read_on_loop(KEY, db.read) is first
    await asyncio.sleep(0.01)
    assert "could not be read" in caplog.text
    clock.now += 0.4  # 1.1 s old: never used; the read is tried again and its failure is the request's
    with pytest.raises(Unavailable):
        await cache.read_on_loop(KEY, db.read)


@on_a_loop
async def test_a_request_that_goes_away_does_not_cancel_the_read_others_wait_for() -> None:
    cache, db = TenantRules(clock=Clock()), Database()
    db.gate.clear()
    leaving = asyncio.create_task(cache.read_on_loop(KEY, db.read))
    staying = asyncio.create_task(cache.read_on_loop(KEY, db.read))
    await asyncio.sleep(0)
    leaving.cancel()
    db.gate.set()
    assert verbs(await staying) == {"get"} and db.reads == 1


def test_a_read_in_a_thread_uses_fresh_rules_and_keeps_what_it_reads() -> None:
    clock = Clock()
    cache, rows = TenantRules(clock=clock), role_rows("get")
    calls: list[int] = []

    def read() -> list[dict[str, Any]]:
        calls.append(1)
        return rows

    first = cache.read(KEY, read)
    assert cache.read(KEY, read) is first and len(calls) == 1
    clock.now += 1.0
    assert cache.read(KEY, read) is not first and len(calls) == 2
    assert cache.fresh(("postgresql://other", "acme")) is None  # another database's tenant is its own
