"""Pagination, Link headers, sorting and every label selector form."""

from __future__ import annotations

import re

import hcloud
import httpx
import pytest

from tests.simulator.helpers import public_key


@pytest.fixture
def groups(client: hcloud.Client) -> list[int]:
    labels = [
        {"env": "prod", "tier": "web"},
        {"env": "prod", "tier": "db"},
        {"env": "dev", "tier": "web"},
        {"env": "staging"},
        {"team": "core"},
    ]
    return [
        client.placement_groups.create(f"group-{i}", "spread", labels=lab).placement_group.id
        for i, lab in enumerate(labels)
    ]


def _links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))}


def test_pages_meta_and_link_header(api: httpx.Client, groups: list[int]) -> None:
    first = api.get("/placement_groups", params={"per_page": 2})
    second = api.get("/placement_groups", params={"per_page": 2, "page": 2})

    assert [g["id"] for g in first.json()["placement_groups"]] == groups[:2]
    assert first.json()["meta"]["pagination"] == {
        "page": 1, "per_page": 2, "previous_page": None, "next_page": 2, "last_page": 3, "total_entries": 5,
    }  # fmt: skip
    assert set(_links(first)) == {"next", "last"}
    assert "page=2" in _links(first)["next"] and "per_page=2" in _links(first)["next"]
    assert set(_links(second)) == {"prev", "next", "last"}
    followed = httpx.get(_links(first)["next"], headers=api.headers)
    assert followed.json() == second.json()


def test_last_page_and_beyond(api: httpx.Client, groups: list[int]) -> None:
    last = api.get("/placement_groups", params={"per_page": 2, "page": 3}).json()
    beyond = api.get("/placement_groups", params={"per_page": 2, "page": 9}).json()

    assert [g["id"] for g in last["placement_groups"]] == groups[4:]
    assert last["meta"]["pagination"]["next_page"] is None
    assert beyond["placement_groups"] == [] and beyond["meta"]["pagination"]["total_entries"] == 5


def test_per_page_defaults_to_25_and_is_capped_at_50(api: httpx.Client) -> None:
    assert api.get("/images").json()["meta"]["pagination"]["per_page"] == 25
    assert api.get("/images", params={"per_page": 500}).json()["meta"]["pagination"]["per_page"] == 50


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"per_page": "-1"}])
def test_bad_page_parameters(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.get("/images", params=params)

    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"


def test_get_all_follows_every_page(client: hcloud.Client, api: httpx.Client) -> None:
    for i in range(55):
        api.post(
            "/ssh_keys", json={"name": f"k{i}", "public_key": public_key(f"seed-{i}")}
        ).raise_for_status()

    keys = client.ssh_keys.get_all()

    assert len(keys) == 55 and len({k.id for k in keys}) == 55


def test_sort_by_name_descending_and_by_id(api: httpx.Client, groups: list[int]) -> None:
    by_name = api.get("/placement_groups", params={"sort": "name:desc"}).json()["placement_groups"]
    by_id = api.get("/placement_groups", params={"sort": "id:desc"}).json()["placement_groups"]

    assert [g["name"] for g in by_name] == [f"group-{i}" for i in range(4, -1, -1)]
    assert [g["id"] for g in by_id] == list(reversed(groups))
    assert api.get("/placement_groups", params={"sort": "colour"}).status_code == 422


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("env=prod", [0, 1]),
        ("env==prod", [0, 1]),
        ("env!=prod", [2, 3, 4]),
        ("tier", [0, 1, 2]),
        ("!tier", [3, 4]),
        ("env in (dev,staging)", [2, 3]),
        ("env notin (prod,dev)", [3, 4]),
        ("env=prod,tier=web", [0]),
        ("env in (prod, dev),tier!=db", [0, 2]),
        ("team,!env", [4]),
        ("", [0, 1, 2, 3, 4]),
        ("env=", []),
    ],
)
def test_label_selector_forms(
    client: hcloud.Client, groups: list[int], selector: str, expected: list[int]
) -> None:
    found = client.placement_groups.get_all(label_selector=selector)

    assert sorted(g.id for g in found) == [groups[i] for i in expected]


@pytest.mark.parametrize("selector", ["=prod", "env in prod", "env in ()", "a b", "env,,tier", "!"])
def test_invalid_label_selectors(client: hcloud.Client, groups: list[int], selector: str) -> None:
    with pytest.raises(hcloud.APIException) as raised:
        client.placement_groups.get_all(label_selector=selector)

    assert raised.value.code == "invalid_input"
    assert raised.value.details["fields"][0]["name"] == "label_selector"


def test_name_filter_is_exact(client: hcloud.Client, groups: list[int]) -> None:
    assert client.placement_groups.get_by_name("group-1").id == groups[1]
    assert client.placement_groups.get_by_name("group") is None
