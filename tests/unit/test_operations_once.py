"""Connexion builds an operation's decorators once (app/operations_once.py), and a request still gets its
own parameters: two requests through one operation answer each with its own query and path values."""

from __future__ import annotations

from pathlib import Path

import connexion
from starlette.testclient import TestClient

from secapi_hetzner.app.operations_once import OnceAsyncApi, OnceAsyncOperation

SPEC = """
openapi: 3.0.3
info: {title: once, version: "1"}
paths:
  /items/{name}:
    get:
      operationId: tests.unit.test_operations_once.item
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, required: false, schema: {type: integer}}
        - {name: skipToken, in: query, required: false, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"""


def item(name: str, limit: int | None = None, skip_token: str | None = None) -> dict[str, object]:
    return {"name": name, "limit": limit, "skip": skip_token}


def test_the_decorators_are_built_once_and_each_request_gets_its_own_parameters(tmp_path: Path) -> None:
    spec = tmp_path / "once.yaml"
    spec.write_text(SPEC)
    app = connexion.AsyncApp(__name__)
    app._middleware_app.api_cls = OnceAsyncApi  # noqa: SLF001 - as the factory installs it
    app.add_api(spec, pythonic_params=True, strict_validation=True)
    with TestClient(app) as client:
        assert client.get("/items/a", params={"limit": 3}).json() == {"name": "a", "limit": 3, "skip": None}
        assert client.get("/items/b").json() == {"name": "b", "limit": None, "skip": None}
        for _ in range(2):  # a camelCase name becomes its Python name, every time (the second from memory)
            assert client.get("/items/d", params={"skipToken": "t"}).json() == {"name": "d", "limit": None,
                                                                                "skip": "t"}
        assert client.get("/items/c", params={"limit": "x"}).status_code == 400  # validation still runs
    apis = app._middleware_app.apis  # noqa: SLF001 - built when the app first starts
    operations = [op for found in (apis.values() if isinstance(apis, dict) else [apis])
                  for api in (found if isinstance(found, list) else [found])
                  for op in api.operations.values()] if apis else []
    assert operations and all(isinstance(op, OnceAsyncOperation) for op in operations)
    assert operations[0].fn is operations[0].fn  # built once
