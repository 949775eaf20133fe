"""Completeness over the registries: every spec operation is served or explicitly listed."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

import handlers
import secapi_hetzner
from secapi_hetzner.app import capabilities
from secapi_hetzner.app.resolver import HANDLER_MODULES, find_handler, snake_case
from secapi_hetzner.scope import APIS

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"


def test_every_operation_is_served_or_explained() -> None:
    rows = capabilities.build_matrix(SPEC)
    assert len(rows) == 89
    for row in rows:
        assert row.status in {"supported", "partial", "planned", "unsupported"}
        assert row.status == "supported" or row.note, row


def test_every_handler_function_belongs_to_an_operation() -> None:
    operations = {(api.slug, snake_case(op)) for api in APIS
                  for _, _, op in capabilities.spec_operations(SPEC / api.document)}
    for api in APIS:
        name = f"handlers.{HANDLER_MODULES[api.slug]}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        public = {name for name, value in vars(module).items() if callable(value)
                  and not name.startswith("_") and getattr(value, "__module__", "") == module.__name__}
        assert public <= {name for slug, name in operations if slug == api.slug}, api.slug


def test_served_operations_have_handlers() -> None:
    """Supported and partial operations are bound to a handler; planned and unsupported ones are not."""
    for row in capabilities.build_matrix(SPEC):
        api = next(a for a in APIS if a.provider == row.api)
        assert (row.status in ("supported", "partial")) == (find_handler(api, row.operation_id) is not None)
        assert row.status != "partial" or row.note, f"{row.operation_id}: a partial operation says what is missing"


def test_docs_capability_matrix_is_current() -> None:
    expected = capabilities.markdown(capabilities.build_matrix(SPEC))
    assert (ROOT / "docs" / "capabilities.md").read_text() == expected, "run `make docs`"


def test_handlers_package_is_this_projects() -> None:
    assert Path(handlers.__file__).resolve().parent == ROOT / "handlers"


def test_packages_declare_their_public_surface() -> None:
    for info in pkgutil.walk_packages(secapi_hetzner.__path__, "secapi_hetzner."):
        if info.ispkg:
            module = importlib.import_module(info.name)
            exported = getattr(module, "__all__", None)
            assert exported is not None, f"{info.name} has no __all__"
            for name in exported:
                assert hasattr(module, name), f"{info.name}.__all__ names missing {name}"


def test_dockerfile_mirrors_make_run() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "secapi-hetzner serve" in makefile
    assert 'ENTRYPOINT ["secapi-hetzner"]' in dockerfile and 'CMD ["serve"]' in dockerfile
    for path in ("pyproject.toml", "secapi_hetzner", "handlers", "spec", "migrations"):
        assert f"COPY {path}" in dockerfile, path
    assert "USER seca" in dockerfile and "FROM python:3.11.11-slim-bookworm AS build" in dockerfile
    assert dockerfile.count("FROM ") == 2 and "COPY --from=build" in dockerfile  # two stages
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile


def test_only_the_gateway_package_imports_hcloud() -> None:
    for path in (ROOT / "secapi_hetzner").rglob("*.py"):
        text = path.read_text()
        if "import hcloud" in text or "from hcloud" in text:
            assert path.parent.name == "hetzner", path
    for path in (ROOT / "handlers").rglob("*.py"):
        imports = [line for line in path.read_text().splitlines() if line.startswith(("import ", "from "))]
        assert not [line for line in imports if "hcloud" in line or "connexion" in line or "psycopg" in line], path


def test_every_named_query_is_used() -> None:
    from secapi_hetzner.store.db import QUERIES

    code = "\n".join(path.read_text() for path in (ROOT / "secapi_hetzner").rglob("*.py"))
    unused = [name for name in QUERIES if f'"{name}"' not in code]
    assert unused == [], f"queries.sql holds queries nothing runs: {unused}"
