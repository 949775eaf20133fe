"""Authentication, the error envelope, label validation, uniqueness, rate limiting, project isolation."""

from __future__ import annotations

import time

import hcloud
import httpx
import pytest

from secapi_hetzner.simulator import RunningSimulator, SimState, serve_in_thread
from tests.simulator.conftest import make_client


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}])
def test_missing_token_is_unauthorized(sim: RunningSimulator, headers: dict[str, str]) -> None:
    response = httpx.get(f"{sim.url}/servers", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["x-correlation-id"]


def test_empty_token_through_hcloud(sim: RunningSimulator) -> None:
    with pytest.raises(hcloud.APIException) as raised:
        make_client(sim, token="").servers.get_all()

    assert raised.value.code == "unauthorized" and raised.value.correlation_id


def test_valid_tokens_restrict_the_projects() -> None:
    with serve_in_thread(state=SimState(valid_tokens={"good"})) as sim:
        assert httpx.get(f"{sim.url}/locations", headers={"Authorization": "Bearer good"}).status_code == 200
        assert httpx.get(f"{sim.url}/locations", headers={"Authorization": "Bearer bad"}).status_code == 401


def test_error_envelope_and_correlation_id(client: hcloud.Client) -> None:
    with pytest.raises(hcloud.APIException) as raised:
        client.servers.get_by_id(4242)

    assert raised.value.code == "not_found"
    assert "4242" in raised.value.message
    assert raised.value.correlation_id


def test_every_response_has_a_correlation_id(api: httpx.Client, control: httpx.Client) -> None:
    ids = {api.get("/locations").headers["x-correlation-id"] for _ in range(3)}

    assert len(ids) == 3
    assert control.get("/requests").headers["x-correlation-id"]


def test_unknown_endpoint_and_method(api: httpx.Client) -> None:
    unknown = api.get("/teapots")
    wrong_method = api.delete("/locations")

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (405, "method_not_allowed")


def test_bad_json_is_json_error(api: httpx.Client) -> None:
    response = api.post("/ssh_keys", content=b"{not json", headers={"Content-Type": "application/json"})

    assert (response.status_code, response.json()["error"]["code"]) == (400, "json_error")


def test_actions_list_requires_ids(api: httpx.Client) -> None:
    response = api.get("/actions")

    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["name"] == "id"


@pytest.mark.parametrize(
    "labels",
    [
        {"bad key!": "x"},
        {"k": "bad value!"},
        {"hetzner.cloud/owner": "x"},
        {"k" * 64: "v"},
        {"k": "v" * 64},
        {"k": 1},
    ],
)
def test_invalid_labels_are_rejected_with_field_details(api: httpx.Client, labels: dict[str, object]) -> None:
    response = api.post("/placement_groups", json={"name": "g", "type": "spread", "labels": labels})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"]["fields"][0]["name"] == "labels" and error["details"]["fields"][0]["messages"]


def test_valid_label_forms_are_accepted(client: hcloud.Client) -> None:
    labels = {"example.com/owner": "team-a", "a": "", "x.y_z-1": "A.b_c-9"}
    group = client.placement_groups.create("g", "spread", labels=labels).placement_group

    assert client.placement_groups.get_by_id(group.id).labels == labels
    with pytest.raises(hcloud.APIException) as raised:
        client.placement_groups.update(group, labels={"-bad": "x"})
    assert raised.value.code == "invalid_input"


def test_duplicate_names_are_uniqueness_errors(client: hcloud.Client, other_client: hcloud.Client) -> None:
    client.placement_groups.create("same", "spread")
    with pytest.raises(hcloud.APIException) as raised:
        client.placement_groups.create("same", "spread")

    assert raised.value.code == "uniqueness_error"
    assert raised.value.details == {"fields": [{"name": "name"}]}
    assert other_client.placement_groups.create("same", "spread").placement_group.name == "same"


def test_projects_are_isolated(client: hcloud.Client, other_client: hcloud.Client) -> None:
    mine = client.placement_groups.create("mine", "spread").placement_group

    assert other_client.placement_groups.get_all() == []
    with pytest.raises(hcloud.APIException) as raised:
        other_client.placement_groups.get_by_id(mine.id)
    assert raised.value.code == "not_found"


def test_rate_limit_headers_count_down(api: httpx.Client) -> None:
    first, second = api.get("/locations"), api.get("/locations")

    assert first.headers["ratelimit-limit"] == "3600"
    assert int(second.headers["ratelimit-remaining"]) == int(first.headers["ratelimit-remaining"]) - 1
    assert int(first.headers["ratelimit-reset"]) >= int(time.time())


def test_rate_limit_exceeded(state: SimState, sim: RunningSimulator, api: httpx.Client) -> None:
    state.set_rate_limit(3, refill_per_second=0)
    answers = [api.get("/locations") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["error"]["code"] == "rate_limit_exceeded"
    assert answers[-1].headers["ratelimit-remaining"] == "0" and answers[-1].headers["ratelimit-limit"] == "3"
    other = httpx.get(f"{sim.url}/locations", headers={"Authorization": "Bearer someone-else"})
    assert other.status_code == 200  # the limit is per project


def test_rate_limit_refills(state: SimState, api: httpx.Client) -> None:
    state.set_rate_limit(1, refill_per_second=50)
    assert api.get("/locations").status_code == 200
    time.sleep(0.05)

    assert api.get("/locations").status_code == 200


def test_hcloud_retries_rate_limit_exceeded(state: SimState, client: hcloud.Client) -> None:
    state.inject_fault("^/locations$", status=429, times=2)

    assert len(client.locations.get_all()) == 6
    assert state.request_counts()["by_route"]["GET /locations"] == 3
