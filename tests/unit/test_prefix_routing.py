"""Prefix routing (app/prefix_routing.py) answers every request exactly as Connexion's own routers do (the
same operation, 404, 405, docs page or trailing-slash redirect), while a request tries only the mounts its
first two path segments can match."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import connexion
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount
from starlette.testclient import TestClient

from secapi_hetzner.app.prefix_routing import may_match, prefix_routed_middlewares, request_prefix

SPEC = """
openapi: 3.0.3
info: {title: %(name)s, version: "1"}
paths:
  /v1/tenants/{tenant}/things:
    get:
      operationId: tests.unit.test_prefix_routing.listing
      parameters: [{name: tenant, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /v1/tenants/{tenant}/things/{name}:
    get:
      operationId: tests.unit.test_prefix_routing.one
      parameters:
        - {name: tenant, in: path, required: true, schema: {type: string}}
        - {name: name, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /things:
    get:
      operationId: tests.unit.test_prefix_routing.root_things
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
"""
BASES = ["/providers/seca.alpha", "/providers/seca.beta", "/providers/seca.alphabet", "/other", ""]


def listing(tenant: str) -> dict[str, Any]:
    return {"op": "listing", "tenant": tenant}


def one(tenant: str, name: str) -> dict[str, Any]:
    return {"op": "one", "tenant": tenant, "name": name}


def root_things() -> dict[str, Any]:
    return {"op": "root"}


def _app(folder: Path, narrowed: bool) -> connexion.AsyncApp:
    app = connexion.AsyncApp(__name__, middlewares=prefix_routed_middlewares() if narrowed else None)
    for index, base in enumerate(BASES):
        spec = folder / f"api{index}.yaml"
        spec.write_text(SPEC % {"name": f"api{index}"})
        app.add_api(spec, base_path=base, pythonic_params=True, strict_validation=True)
    return app


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    folder = tmp_path_factory.mktemp("specs")
    with TestClient(_app(folder, False)) as plain, TestClient(_app(folder, True)) as narrowed:
        yield plain, narrowed


def _answer(client: TestClient, method: str, path: str) -> tuple[int, str, str | None]:
    answer = client.request(method, "http://testserver" + path, follow_redirects=False)
    return answer.status_code, answer.text, answer.headers.get("location")


PATHS = ["/", "", "/providers", "/providers/", "/providers/seca.alpha", "/providers/seca.alpha/",
         "/providers/seca.alpha/v1/tenants/t/things", "/providers/seca.alpha/v1/tenants/t/things/",
         "/providers/seca.alpha/v1/tenants/t/things/x", "/providers/seca.alphabet/v1/tenants/t/things/x",
         "/providers/seca.beta/v1/tenants/t/things/x/", "/providers/seca.gamma/v1/tenants/t/things/x",
         "/providers/seca.alpha/openapi.json", "/providers/seca.alpha/openapi.json/",
         "/providers/seca.beta/openapi.yaml", "/providers/seca.alpha/ui", "/providers/seca.alpha/ui/",
         "/providers/seca.alpha/ui/index.html", "/providers/seca.alpha/ui/swagger-ui.css",
         "/other/things", "/other/things/", "/things", "/things/", "/openapi.json", "/ui", "/ui/",
         "/v1/tenants/t/things/x", "/providers/seca.alpha/things", "/providers/seca.alp/v1/tenants/t/things"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", PATHS)
def test_every_answer_is_the_one_connexion_gives(clients: tuple[TestClient, TestClient], path: str,
                                                 method: str) -> None:
    plain, narrowed = clients
    assert _answer(narrowed, method, path) == _answer(plain, method, path)


SEGMENTS = st.sampled_from(["providers", "seca.alpha", "seca.beta", "seca.alphabet", "seca.al", "other", "v1",
                            "tenants", "t", "things", "x", "ui", "openapi.json", "index.html", ""])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(SEGMENTS, max_size=7), slash=st.booleans())
def test_any_path_of_known_segments_is_answered_alike(clients: tuple[TestClient, TestClient],
                                                     segments: list[str], slash: bool) -> None:
    plain, narrowed = clients
    path = "/" + "/".join(segments) + ("/" if slash else "")
    assert _answer(narrowed, "GET", path) == _answer(plain, "GET", path)


def test_a_request_tries_only_the_mounts_its_prefix_can_match(clients: tuple[TestClient, TestClient],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[str] = []
    matches = Mount.matches

    def counted(self: Mount, scope: Any) -> Any:
        tried.append(self.path)
        return matches(self, scope)

    monkeypatch.setattr(Mount, "matches", counted)
    plain, narrowed = clients
    path = "/providers/seca.beta/v1/tenants/t/things/x"
    assert narrowed.get(path).json() == {"op": "one", "tenant": "t", "name": "x"}
    # Swagger UI's router and the routing middleware's: the API's own mount each (no other API's), and no
    # docs route at all
    assert tried == ["/providers/seca.beta", "/providers/seca.beta"]
    tried.clear()
    assert plain.get(path).status_code == 200
    assert len(tried) > 2 * len(BASES) - 2  # what Connexion's own routers try for the same request


def test_the_prefix_of_a_path_and_of_its_trailing_slash_twin_is_one() -> None:
    assert request_prefix("/a/b/c") == request_prefix("/a/b") == request_prefix("/a/b/") == "/a/b"
    assert request_prefix("/a") == request_prefix("/a/") == "/a"
    assert request_prefix("/") == request_prefix("") == ""
    assert may_match("/providers/seca.alpha", "/providers/seca.alpha")
    assert may_match("", "/anything") and may_match("/ui", "") and may_match("/v1/tenants/", "/v1/tenants")
    assert not may_match("/providers/seca.alpha", "/providers/seca.beta")
    # a sibling that begins like it stays a candidate (its own pattern then refuses the path)
    assert may_match("/providers/seca.alphabet", "/providers/seca.alpha")
