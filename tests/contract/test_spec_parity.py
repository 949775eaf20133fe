"""The project's ``spec/`` states exactly the SECA v1.7 contract, in its own words.

* every upstream bundled document has a ``spec/`` twin with zero contract
  differences (see ``specparity`` for what counts as a difference);
* 89 operations in total, unique per document;
* every document is valid OpenAPI 3.0 and loads in Connexion;
* no Jinja2 markup in the documents (Connexion renders the root file with Jinja2);
* nothing in ``spec/`` is a copy of an upstream file or of upstream prose;
* the comparator itself detects the kinds of change it exists for.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Iterator
from copy import deepcopy
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import NO_SHARED, SHARED, requires_upstream_spec
from tests.contract import specparity
from tests.contract.specparity import Document, compare, compare_files

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"
UPSTREAM_ROOT = SHARED / "seca-spec"
UPSTREAM = UPSTREAM_ROOT / "bundled"

UPSTREAM_DOCS = sorted(p.name for p in UPSTREAM.glob("*.yaml"))
#: the upstream documents to compare with, or one skipped case saying why there are none
UPSTREAM_CASES = UPSTREAM_DOCS or [pytest.param("-", marks=pytest.mark.skip(reason=NO_SHARED), id="no-reference")]
#: the project's own documents (checked whether or not the reference data is there)
OWN_DOCS = sorted(p.name for p in SPEC.glob("*.yaml"))
EXPECTED_OPERATIONS = 89
MAX_DIFFS_SHOWN = 80


def _spec_files() -> list[Path]:
    return sorted(SPEC.rglob("*.yaml")) if SPEC.is_dir() else []


def _root_docs() -> list[Path]:
    return sorted(SPEC.glob("*.yaml")) if SPEC.is_dir() else []


@requires_upstream_spec
def test_upstream_reference_present() -> None:
    assert UPSTREAM.is_dir(), f"upstream reference documents not found at {UPSTREAM}"
    assert len(UPSTREAM_DOCS) == 12, f"expected 12 upstream bundled documents, found {UPSTREAM_DOCS}"


# ---------------------------------------------------------------------------
# Parity, document by document
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", UPSTREAM_CASES)
def test_document_matches_upstream_contract(name: str) -> None:
    ours = SPEC / name
    assert ours.is_file(), f"spec/{name} is missing (upstream has bundled/{name})"
    diffs = compare_files(ours, UPSTREAM / name)
    if diffs:
        shown = "\n".join(f"  {d}" for d in diffs[:MAX_DIFFS_SHOWN])
        more = f"\n  ... and {len(diffs) - MAX_DIFFS_SHOWN} more" if len(diffs) > MAX_DIFFS_SHOWN else ""
        pytest.fail(
            f"spec/{name}: {len(diffs)} contract difference(s) from upstream bundled/{name}\n"
            f"{shown}{more}\n"
            f"(reproduce: .venv/bin/python -m tests.contract.specparity spec/{name} {UPSTREAM / name})",
            pytrace=False,
        )


def _operation_ids(doc: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    out = []
    for path, item in (doc.get("paths") or {}).items():
        for method in specparity.HTTP_METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                out.append((method.upper(), str(path), item[method].get("operationId")))
    return out


@requires_upstream_spec
def test_operation_inventory() -> None:
    """89 operations across spec/, unique (document, operationId), same set as upstream."""
    ours: list[tuple[str, str, str, str | None]] = []
    for doc in _root_docs():
        ours += [(doc.name, *op) for op in _operation_ids(yaml.safe_load(doc.read_text(encoding="utf-8")))]
    theirs = []
    for name in UPSTREAM_DOCS:
        theirs += [(name, *op) for op in _operation_ids(yaml.safe_load((UPSTREAM / name).read_text()))]
    assert len(theirs) == EXPECTED_OPERATIONS, "upstream reference changed?"

    missing_id = [o for o in ours if not o[3]]
    assert not missing_id, f"operations without operationId: {missing_id}"
    keys = [(o[0], o[3]) for o in ours]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"duplicate (document, operationId): {dupes}"
    missing = sorted(set(theirs) - set(ours))
    extra = sorted(set(ours) - set(theirs))
    assert not missing and not extra, (
        f"operations missing from spec/ ({len(missing)}): {missing}\nextra in spec/ ({len(extra)}): {extra}"
    )
    assert len(ours) == EXPECTED_OPERATIONS


# ---------------------------------------------------------------------------
# Validity and loadability
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", OWN_DOCS)
def test_document_is_valid_openapi(name: str) -> None:
    from openapi_spec_validator import validate

    path = SPEC / name
    assert path.is_file(), f"spec/{name} is missing"
    validate(yaml.safe_load(path.read_text(encoding="utf-8")), base_uri=path.resolve().as_uri())


@pytest.mark.parametrize("name", OWN_DOCS)
def test_document_loads_in_connexion(name: str) -> None:
    """Loads with multi-file refs, no RecursionError, fixed base path from servers[0]."""
    path = SPEC / name
    assert path.is_file(), f"spec/{name} is missing"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import connexion

        app = connexion.AsyncApp(__name__, specification_dir=str(SPEC))
        app.add_api(name, resolver_error=501)


_JINJA = re.compile(r"\{\{|\{%|\{#")


@pytest.mark.parametrize("path", _spec_files(), ids=lambda p: str(p.relative_to(SPEC)))
def test_no_jinja_markup(path: Path) -> None:
    """Connexion renders the root document with Jinja2: ``{{ x }}`` would vanish silently."""
    hits = [
        f"line {n}: {line.strip()}"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if _JINJA.search(line)
    ]
    assert not hits, f"spec/{path.relative_to(SPEC)} contains Jinja2 markup:\n" + "\n".join(hits)


# ---------------------------------------------------------------------------
# Own words: no copies of upstream files, prose or examples
# ---------------------------------------------------------------------------
#
# Contract lines (``type: string``, ``maxLength: 64`` ...) are necessarily the
# same, so whole-file similarity of a faithful rewrite is typically 0.25-0.8
# (normalised lines, difflib ratio).  A copied file with light edits scores
# above 0.9.  Prose is checked separately and more strictly: sentences of six
# or more words are compared after lower-casing and dropping punctuation.

NEAR_IDENTICAL_RATIO = 0.90
MIN_FRAGMENT_WORDS = 6
MAX_COPIED_FRAGMENTS = 2  # absolute allowance (short formulaic sentences) ...
MAX_COPIED_SHARE = 0.10  # ... or this share of the file's sentences, whichever is larger


def _norm_lines(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"\s+", " ", line.lower()).strip(" -'\"")
        if line:
            out.append(line)
    return out


def _prose(node: Any, texts: list[str], examples: list[Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                texts.append(value)
            elif key == "example":
                examples.append(value)
            elif key == "examples" and isinstance(value, dict):
                examples.extend(v.get("value") if isinstance(v, dict) else v for v in value.values())
            else:
                _prose(value, texts, examples)
    elif isinstance(node, list):
        for value in node:
            _prose(value, texts, examples)


def _fragments(texts: list[str]) -> set[str]:
    out = set()
    for text in texts:
        for part in re.split(r"\n|(?<=[.;:!?])\s+", text):
            words = re.findall(r"[a-z0-9]+", part.lower())
            if len(words) >= MIN_FRAGMENT_WORDS:
                out.add(" ".join(words))
    return out


def _example_key(value: Any) -> str | None:
    """Structured examples (objects, lists) are distinctive; scalars like ``"v1"`` are not."""
    if isinstance(value, dict | list) and value:
        return json.dumps(value, sort_keys=True, default=str)
    return None


@cache
def _upstream_corpus() -> dict[str, Any]:
    files = sorted(UPSTREAM_ROOT.rglob("*.yaml"))
    texts: list[str] = []
    examples: list[Any] = []
    for f in files:
        _prose(yaml.safe_load(f.read_text(encoding="utf-8")), texts, examples)
    return {
        "sha": {hashlib.sha256(f.read_bytes()).hexdigest(): f for f in files},
        "lines": {f: _norm_lines(f.read_text(encoding="utf-8")) for f in files},
        "fragments": _fragments(texts),
        "examples": {k for k in map(_example_key, examples) if k},
    }


@requires_upstream_spec
@pytest.mark.parametrize("path", _spec_files(), ids=lambda p: str(p.relative_to(SPEC)))
def test_not_copied_from_upstream(path: Path) -> None:
    corpus = _upstream_corpus()
    rel = f"spec/{path.relative_to(SPEC)}"
    data = path.read_bytes()

    same = corpus["sha"].get(hashlib.sha256(data).hexdigest())
    assert same is None, f"{rel} is byte-identical to upstream {same}"

    ours = _norm_lines(data.decode("utf-8"))
    for upstream_file, theirs in corpus["lines"].items():
        matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
        if matcher.real_quick_ratio() < NEAR_IDENTICAL_RATIO or matcher.quick_ratio() < NEAR_IDENTICAL_RATIO:
            continue
        ratio = matcher.ratio()
        assert ratio < NEAR_IDENTICAL_RATIO, (
            f"{rel} is textually near-identical to upstream {upstream_file} (similarity {ratio:.2f})"
        )

    texts: list[str] = []
    examples: list[Any] = []
    _prose(yaml.safe_load(data), texts, examples)
    fragments = _fragments(texts)
    copied = sorted(fragments & corpus["fragments"])
    allowance = max(MAX_COPIED_FRAGMENTS, int(MAX_COPIED_SHARE * len(fragments)))
    assert len(copied) <= allowance, (
        f"{rel}: {len(copied)} of {len(fragments)} prose sentences are upstream's verbatim "
        f"(allowed {allowance}); rewrite them:\n" + "\n".join(f"  {c}" for c in copied)
    )
    same_examples = [k for k in map(_example_key, examples) if k and k in corpus["examples"]]
    assert not same_examples, f"{rel}: examples copied from upstream (write your own or omit):\n" + "\n".join(
        f"  {e[:120]}" for e in same_examples
    )


# ---------------------------------------------------------------------------
# The comparator itself
# ---------------------------------------------------------------------------


def _base() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "v1", "description": "Upstream prose."},
        "servers": [{"url": "https://example.test/providers/seca.things", "description": "Path"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "Thing", "description": "Thing management"}],
        "paths": {
            "/v1/things/{name}": {
                "get": {
                    "operationId": "getThing",
                    "tags": ["Thing"],
                    "summary": "Get thing",
                    "parameters": [
                        {"$ref": "#/components/parameters/namePath"},
                        {
                            "in": "header",
                            "name": "Accept",
                            "schema": {"type": "string", "enum": ["a", "b", "c"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                            },
                        },
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "parameters": {
                "namePath": {
                    "in": "path",
                    "name": "name",
                    "required": True,
                    "schema": {"type": "string", "maxLength": 128, "pattern": "^[a-z0-9]+$"},
                }
            },
            "responses": {
                "NotFound": {
                    "description": "not found",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {"status": {"type": "number"}},
                },
                "Meta": {"type": "object", "properties": {"labels": {"type": "object"}}},
                "OtherMeta": {"type": "object", "properties": {"labels": {"type": "object"}}},
                "Thing": {
                    "type": "object",
                    "description": "A thing.",
                    "example": {"size": "big"},
                    "required": ["size"],
                    "properties": {
                        "metadata": {"$ref": "#/components/schemas/Meta"},
                        "size": {"type": "string", "enum": ["small", "big"], "maxLength": 10},
                        "description": {"type": "string", "maxLength": 5},
                        "other": {"$ref": "#/components/schemas/OtherMeta"},
                    },
                },
            },
        },
    }


def _diffs(mutate: Any = None, *, upstream: dict[str, Any] | None = None) -> list[specparity.Difference]:
    ours = _base()
    if mutate:
        mutate(ours)
    return compare(Document(data=ours), Document(data=upstream or _base()))


def _thing(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]["Thing"]


def _assert_one(diffs: list[specparity.Difference], *needles: str) -> None:
    assert diffs, "comparator missed the change"
    text = "\n".join(map(str, diffs))
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"


def test_comparator_identical_documents() -> None:
    assert _diffs() == []


def test_comparator_ignores_prose_and_extensions() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["info"]["description"] = "Our prose."
        d["servers"][0]["description"] = "Ours"
        d["tags"][0]["description"] = "Our words"
        op = d["paths"]["/v1/things/{name}"]["get"]
        op["summary"] = "Fetch a thing"
        op["description"] = "Long text"
        op["responses"]["200"]["description"] = "The thing."
        _thing(d)["description"] = "Something else."
        del _thing(d)["example"]
        _thing(d)["properties"]["size"]["x-enumNames"] = ["S", "B"]
        _thing(d)["properties"]["size"]["examples"] = ["small"]

    assert _diffs(mutate) == []


def test_comparator_keeps_property_named_description() -> None:
    def mutate(d: dict[str, Any]) -> None:
        del _thing(d)["properties"]["description"]

    _assert_one(_diffs(mutate), "/components/schemas/Thing/properties/description", "missing in ours")


def test_comparator_detects_changed_pattern() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["components"]["parameters"]["namePath"]["schema"]["pattern"] = "^[a-z]+$"

    _assert_one(_diffs(mutate), "/components/parameters/namePath/schema/pattern", "^[a-z]+$")


def test_comparator_detects_changed_max_length() -> None:
    def mutate(d: dict[str, Any]) -> None:
        _thing(d)["properties"]["size"]["maxLength"] = 11

    _assert_one(_diffs(mutate), "/components/schemas/Thing/properties/size/maxLength", "ours 11, upstream 10")


def test_comparator_detects_missing_enum_value() -> None:
    def mutate(d: dict[str, Any]) -> None:
        _thing(d)["properties"]["size"]["enum"] = ["small"]

    _assert_one(_diffs(mutate), "/properties/size/enum", "missing in ours", '"big"')


def test_comparator_detects_enum_value_in_inline_parameter() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["paths"]["/v1/things/{name}"]["get"]["parameters"][1]["schema"]["enum"] = ["a", "b"]

    _assert_one(_diffs(mutate), "/parameters/header:Accept/schema/enum", '"c"')


def test_comparator_detects_missing_response_code() -> None:
    def mutate(d: dict[str, Any]) -> None:
        del d["paths"]["/v1/things/{name}"]["get"]["responses"]["404"]

    _assert_one(_diffs(mutate), "/responses/404", "missing response code 404")


def test_comparator_detects_extra_parameter() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["paths"]["/v1/things/{name}"]["get"]["parameters"].append(
            {"in": "query", "name": "verbose", "schema": {"type": "boolean"}}
        )

    _assert_one(_diffs(mutate), "/parameters/query:verbose", "extra parameter")


def test_comparator_detects_changed_required_and_types() -> None:
    def mutate(d: dict[str, Any]) -> None:
        _thing(d)["required"] = []
        d["components"]["schemas"]["Error"]["properties"]["status"]["type"] = "integer"

    _assert_one(
        _diffs(mutate),
        "required properties missing in ours: ['size']",
        "/components/schemas/Error/properties/status/type",
    )


def test_comparator_detects_operation_and_server_changes() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["paths"]["/v1/things/{name}"]["get"]["operationId"] = "getTheThing"
        d["servers"][0]["url"] = "https://example.test/providers/seca.thing"
        d["paths"]["/v1/things/{name}"]["get"]["security"] = []

    _assert_one(_diffs(mutate), "/operationId", "/servers/0/url", "effective security differs")


def test_comparator_detects_media_type_and_missing_path() -> None:
    def mutate(d: dict[str, Any]) -> None:
        resp = d["components"]["responses"]["NotFound"]
        resp["content"] = {"application/problem+json": resp["content"]["application/json"]}
        d["paths"]["/v1/things"] = d["paths"].pop("/v1/things/{name}")

    _assert_one(
        _diffs(mutate), "/content/application~1problem+json", "missing path in ours", "extra path in ours"
    )


def test_comparator_detects_component_identity() -> None:
    """Structurally equal but differently named components are a difference."""

    def mutate(d: dict[str, Any]) -> None:
        _thing(d)["properties"]["metadata"] = {"$ref": "#/components/schemas/OtherMeta"}

    _assert_one(_diffs(mutate), "references component 'schemas/OtherMeta', upstream 'schemas/Meta'")

    def inline(d: dict[str, Any]) -> None:
        _thing(d)["properties"]["metadata"] = {"type": "object", "properties": {"labels": {"type": "object"}}}

    _assert_one(_diffs(inline), "ours is inline, upstream references component 'schemas/Meta'")


def test_comparator_detects_missing_and_extra_components() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["components"]["schemas"]["Spare"] = {"type": "string"}
        _thing(d)["properties"]["other"] = {"type": "object", "properties": {"labels": {"type": "object"}}}
        del d["components"]["schemas"]["OtherMeta"]

    _assert_one(
        _diffs(mutate),
        "/components/schemas/Spare: extra component in ours",
        "/components/schemas/OtherMeta: missing component in ours",
    )


def test_comparator_follows_file_refs_and_aliases() -> None:
    """Multi-file layout with an alias resolves to the same contract as the single-file one."""
    ours = _base()
    shared = {
        "components": {
            "schemas": {
                "Meta": {"type": "object", "properties": {"labels": {"type": "object"}}},
                "MetaAlias": {"$ref": "#/components/schemas/Meta"},
            }
        }
    }
    del ours["components"]["schemas"]["Meta"]
    _thing(ours)["properties"]["metadata"] = {"$ref": "./schemas/shared.yaml#/components/schemas/MetaAlias"}
    doc = Document(data=ours, files={"schemas/shared.yaml": shared})
    assert compare(doc, Document(data=_base())) == []

    broken = deepcopy(shared)
    broken["components"]["schemas"]["Meta"]["properties"]["labels"]["maxProperties"] = 3
    doc = Document(data=ours, files={"schemas/shared.yaml": broken})
    _assert_one(
        compare(doc, Document(data=_base())), "/components/schemas/Meta/properties/labels/maxProperties"
    )


def test_comparator_reports_constraints_next_to_ref() -> None:
    def mutate(d: dict[str, Any]) -> None:
        _thing(d)["properties"]["metadata"]["maxProperties"] = 3
        _thing(d)["properties"]["other"]["description"] = "prose next to a $ref is fine"

    diffs = _diffs(mutate)
    _assert_one(diffs, "keys next to $ref are ignored", "maxProperties")
    assert len(diffs) == 1, diffs


def test_comparator_survives_recursive_schemas() -> None:
    def recursive(d: dict[str, Any]) -> None:
        d["components"]["schemas"]["Node"] = {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
        }
        _thing(d)["properties"]["tree"] = {"$ref": "#/components/schemas/Node"}

    up = _base()
    recursive(up)
    assert _diffs(recursive, upstream=up) == []

    def different(d: dict[str, Any]) -> None:
        recursive(d)
        d["components"]["schemas"]["Node"]["properties"]["children"]["maxItems"] = 4

    _assert_one(_diffs(different, upstream=up), "/components/schemas/Node/properties/children/maxItems")


def test_comparator_cli_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(_base()))
    changed = _base()
    _thing(changed)["properties"]["size"]["maxLength"] = 12
    bad.write_text(yaml.safe_dump(changed))
    assert specparity.main([str(good), str(good)]) == 0
    assert specparity.main([str(bad), str(good)]) == 1
    assert "/components/schemas/Thing/properties/size/maxLength" in capsys.readouterr().out
    assert specparity.main([str(tmp_path / "absent.yaml"), str(good)]) == 2


@requires_upstream_spec
def test_comparator_sees_upstream_rendered_equal_to_bundled() -> None:
    """Sanity check on real data: upstream's multi-file documents equal their bundles."""
    for name in ("foundation.network.v1.yaml", "extensions.activitylog.v1beta1.yaml"):
        assert compare_files(UPSTREAM_ROOT / name, UPSTREAM / name) == []


def _iter_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            yield from _iter_keys(v)
    elif isinstance(node, list):
        for v in node:
            yield from _iter_keys(v)


@requires_upstream_spec
def test_comparator_normalisation_leaves_no_prose() -> None:
    doc = Document(UPSTREAM / "foundation.region.v1.yaml")
    keys = set(_iter_keys(specparity._normalise(doc.resolved, False)))
    # "description" survives only as a property name (Error has none; region has none)
    assert not keys & {"description", "summary", "example", "examples", "externalDocs"}
    assert not any(k.startswith("x-") for k in keys)
