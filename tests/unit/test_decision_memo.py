"""Decisions are remembered per rules object (app/access.DecisionMemo): the same request with the same rules
gets the decision made the first time without deciding again; other rules (a tenant's rules read again after
a change) decide afresh; a request that cannot be keyed is always decided; the memo is bounded."""

from __future__ import annotations

from typing import Any

from secapi_hetzner.app.access import DecisionMemo
from secapi_hetzner.authz import Access, Decision, Rules, decide

GET_WEB = Access("seca.compute/v1", "get", "instances/web", "acme", "eu-central", "ws")


def rules(verbs: list[str]) -> Rules:
    permission = {"provider": "seca.compute/v1", "resources": ["instances/*"], "verb": verbs}
    return Rules.from_specs([("r", {"permissions": [permission]})], [{"roles": ["r"], "subs": ["ana"], "scopes": [{}]}])


def counting(made: list[Any], rules_: Rules) -> Any:
    def deciding() -> Decision:
        made.append(1)
        return decide(rules_, "ana", GET_WEB, owner="acme")
    return deciding


def test_a_request_is_decided_once_per_rules_and_afresh_with_new_rules() -> None:
    memo, made = DecisionMemo(), []
    granting = rules(["get"])
    key = ("ana", "seca.compute/v1", "GET", "/v1/…/{name}", "eu-central", ("name", "web"))
    assert memo.decided(granting, key, counting(made, granting)).allowed
    assert memo.decided(granting, key, counting(made, granting)).allowed
    assert len(made) == 1
    revoked = rules(["list"])  # the role changed: the tenant's rules are read again, as a new object
    assert not memo.decided(revoked, key, counting(made, revoked)).allowed
    assert len(made) == 2
    assert memo.decided(granting, ("bob", *key[1:]), counting(made, granting)).allowed and len(made) == 3


def test_a_request_that_cannot_be_keyed_is_always_decided() -> None:
    memo, made = DecisionMemo(), []
    granting = rules(["get"])
    with_body = ("ana", "seca.compute/v1", "PUT", "/v1/…/{name}", "", ("body", {"spec": {}}))
    for _ in range(3):
        memo.decided(granting, with_body, counting(made, granting))
    assert len(made) == 3


def test_the_memo_is_bounded() -> None:
    memo = DecisionMemo()
    granting = rules(["get"])
    for i in range(DecisionMemo.PER_RULES + 10):
        memo.decided(granting, ("k", i), counting([], granting))
    assert len(memo.of(granting)) <= DecisionMemo.PER_RULES
    for _ in range(DecisionMemo.RULES + 10):
        memo.of(rules(["get"]))
    assert len(memo._memos) <= DecisionMemo.RULES  # noqa: SLF001 - the bound itself
