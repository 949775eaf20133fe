"""The access decision (pure): subjects, scopes, verbs, resource patterns, list visibility."""

from __future__ import annotations

from typing import Any

import pytest

from secapi_hetzner.authz import Access, Rules, decide, target_of

T = "acme"


def rules(permissions: list[dict[str, Any]], subs: list[str], scopes: list[dict[str, Any]] | None = None) -> Rules:
    return Rules.from_specs([("r", {"permissions": permissions})],
                            [{"roles": ["r"], "subs": subs, "scopes": scopes or [{}]}])


def compute(verb: str, path: str, workspace: str = "ws", region: str = "eu-central") -> Access:
    return Access("seca.compute/v1", verb, path, T, region, workspace)


ALL_INSTANCES = [{"provider": "seca.compute/v1", "resources": ["instances/*"], "verb": ["get", "list", "post"]}]


@pytest.mark.parametrize(("access", "allowed"), [
    (compute("get", "instances/web"), True),
    (compute("list", "instances"), True),
    (compute("post.start", "instances/web"), True),   # post covers every action
    (compute("put", "instances/web"), False),          # verb not granted
    (compute("get", "skus/cx23"), False),              # resource not granted
    (Access("seca.storage/v1", "get", "instances/web", T, "eu-central", "ws"), False),  # other API
])
def test_verbs_resources_and_providers_must_all_match(access: Access, allowed: bool) -> None:
    decision = decide(rules(ALL_INSTANCES, ["alice"]), "alice", access, owner=T)
    assert decision.allowed is allowed
    assert bool(decision.missing) is not allowed


def test_only_the_named_subjects_or_everyone_with_a_star() -> None:
    assert not decide(rules(ALL_INSTANCES, ["alice"]), "bob", compute("get", "instances/web"), T).allowed
    assert decide(rules(ALL_INSTANCES, ["*"]), "bob", compute("get", "instances/web"), T).allowed


@pytest.mark.parametrize(("scope", "access", "allowed"), [
    ({"workspaces": ["ws"]}, compute("get", "instances/web", workspace="ws"), True),
    ({"workspaces": ["ws"]}, compute("get", "instances/web", workspace="other"), False),
    ({"regions": ["eu-central"]}, compute("get", "instances/web", region="us-east"), False),
    ({"tenants": ["someone-else"]}, compute("get", "instances/web"), False),
    ({"workspaces": ["ws"]}, Access("seca.workspace/v1", "get", "workspaces/ws", T, "eu-central"), True),
    ({"workspaces": ["ws"]}, Access("seca.workspace/v1", "get", "workspaces/other", T, "eu-central"), False),
])
def test_scopes_limit_where_an_assignment_applies(scope: dict[str, Any], access: Access, allowed: bool) -> None:
    granted = [{"provider": access.provider, "resources": ["*"], "verb": ["get"]}]
    assert decide(rules(granted, ["alice"], [scope]), "alice", access, owner=T).allowed is allowed


def test_a_list_with_item_permissions_shows_only_those_items() -> None:
    granted = [{"provider": "seca.compute/v1", "resources": ["instances/web", "instances/db"], "verb": ["list"]}]
    decision = decide(rules(granted, ["alice"]), "alice", compute("list", "instances"), T)
    assert decision.allowed and decision.sees("web") and decision.sees("db") and not decision.sees("other")
    everything = decide(rules(ALL_INSTANCES, ["alice"]), "alice", compute("list", "instances"), T)
    assert everything.allowed and everything.sees("anything")


def test_a_missing_role_grants_nothing_and_a_bad_stored_role_is_ignored() -> None:
    missing = Rules.from_specs([], [{"roles": ["nope"], "subs": ["alice"], "scopes": [{}]}])
    assert not decide(missing, "alice", compute("get", "instances/web"), T).allowed
    broken = Rules.from_specs([("r", {"permissions": [{"provider": "seca.nope/v1", "resources": ["*"],
                                                       "verb": ["get"]}]})],
                              [{"roles": ["r"], "subs": ["alice"], "scopes": [{}]}])
    assert broken.roles == {}


@pytest.mark.parametrize(("method", "template", "params", "expected"), [
    ("GET", "/v1/tenants/{tenant}/workspaces/{workspace}/instances", {}, ("list", "instances")),
    ("GET", "/v1/tenants/{tenant}/workspaces/{workspace}/instances/{name}", {"name": "a"}, ("get", "instances/a")),
    ("PUT", "/v1/tenants/{tenant}/workspaces/{workspace}/instances/{name}", {"name": "a"}, ("put", "instances/a")),
    ("DELETE", "/v1/tenants/{tenant}/roles/{name}", {"name": "r"}, ("delete", "roles/r")),
    ("POST", "/v1/tenants/{tenant}/workspaces/{workspace}/instances/{name}/restart", {"name": "a"},
     ("post.restart", "instances/a")),
    ("GET", "/v1/tenants/{tenant}/workspaces/{workspace}/networks/{network}/subnets", {"network": "n"},
     ("list", "networks/n/subnets")),
    ("GET", "/v1/tenants/{tenant}/workspaces/{name}", {"name": "w"}, ("get", "workspaces/w")),
])
def test_operations_map_to_a_verb_and_a_resource_path(method: str, template: str, params: dict[str, str],
                                                       expected: tuple[str, str]) -> None:
    assert target_of(method, template, params) == expected
