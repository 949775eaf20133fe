"""Contract parity between two OpenAPI 3.0 documents.

Checks that the project's own description of an API (``spec/<api>.yaml``,
multi-file) states exactly the same contract as the upstream SECA document
(``/work/shared/seca-spec/bundled/<api>.yaml``), while the prose may differ.

Library use::

    from tests.contract.specparity import compare_files
    for diff in compare_files("spec/foundation.region.v1.yaml", upstream_path):
        print(diff)

CLI use (exit status 1 when there is any difference, 2 on a usage/load error)::

    python -m tests.contract.specparity OURS.yaml UPSTREAM.yaml [--with-extensions]

How it works
============

1. Loading and ``$ref`` resolution.  Both documents are loaded with PyYAML.
   Every ``$ref`` is resolved recursively: local refs (``#/...``) against the
   file that contains them, relative file refs (``./schemas/x.yaml#/...``)
   against that file's directory.  Keys next to a ``$ref`` are ignored, as
   OpenAPI 3.0 prescribes - and reported when they are anything but prose
   or ``x-`` keys in *our* document, since a constraint written there has
   no effect.  A ref that is already being expanded further up
   (a recursive schema) is replaced by a ``{"$cycle": <pointer>}`` marker
   instead of recursing forever; markers compare by pointer only.

2. Component identity is part of the contract.  Wherever a ``$ref`` points
   at ``.../components/<kind>/<Name>``, the expanded node is tagged with
   ``"$component": "<kind>/<Name>"``.  When a component is only an alias
   (its whole body is another ``$ref``, e.g. ``RoleStatus -> Status``), the
   innermost name wins, the same way a bundler collapses aliases.  So a
   document that references ``SystemResourceMetadata`` where upstream
   references the (structurally identical) ``UserResourceMetadata``, or that
   inlines a schema upstream references by name, is reported - code
   generators turn those names into types.  Where the component lives
   (which file) does not matter.  A sub-tree that references the same
   component on both sides is compared once, under ``/components/...``,
   not again at every place that uses it, so each difference shows up once.

3. Normalisation.  Removed everywhere except inside literal data (``enum``,
   ``default``, ``example`` values ...) and except where the key is a name
   (a property called ``description`` stays):

   * prose: ``description``, ``summary``, ``example``, ``examples``,
     ``externalDocs`` (``info.description``, ``servers[].description``, tag
     descriptions and security-scheme descriptions included);
   * ``x-`` extension keys.  Decision: upstream carries many of them
     (``x-enumNames``, ``x-go-type-skip-optional-pointer``,
     ``x-oapi-codegen-extra-tags``, ``x-kubebuilder-*``, ``x-cel-rule-0``,
     ``x-extensible-enum`` ...).  They are instructions for upstream's Go
     and Kubernetes code generators, change nothing on the wire and are
     not interpreted by Connexion or JSON-Schema validation, so the project
     does not restate them and they are ignored on both sides.  Pass
     ``--with-extensions`` (``compare(..., extensions=True)``) to list them.

   Also normalised: response codes and other map keys become strings; a
   parameter or request body without ``required`` counts as
   ``required: false``; numbers compare by value (``1 == 1.0``) but never
   equal booleans.

4. What is compared, in this order (each difference carries a JSON pointer,
   RFC 6901, into the *upstream* layout):

   * ``/openapi``; ``/info`` (title, version, and anything else left after
     normalisation); ``/servers`` (URLs and variables, in order);
     top-level ``/security``; ``/components/securitySchemes``; the top-level
     tag names (``/tags``, in order);
   * every path and every method in it.  Path-level parameters are merged
     into the operation's.  Per operation: ``operationId``, ``tags``, the
     effective ``security`` (operation value, else the document's),
     parameters keyed by ``(in, name)`` with their fully resolved definition
     (schema, required, style, ...), ``requestBody``, every response code
     with its media types, schemas and headers, plus any other non-prose
     operation key (``deprecated``, ``callbacks`` ...);
   * ``/components/{schemas,parameters,responses,requestBodies,headers}``
     name by name: the set of names must be equal and each one equal after
     resolution.  For a multi-file document the set is what a bundler would
     produce: the root document's own components plus every component
     reached through a ``$ref`` anywhere (aliases collapsed to their target);
     a name that two different files define differently is reported as a
     collision.

   Inside schemas the comparison is structural: ``allOf``/``oneOf``/
   ``anyOf`` order and nesting matter, ``required`` is compared as a set,
   ``enum`` reports missing and extra values, and an order-only change.

What it ignores: everything listed under 3, YAML formatting, comments, key
order, the file layout of components, and upstream's ``tags[].description``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

__all__ = [
    "Difference",
    "Document",
    "compare",
    "compare_files",
    "load_document",
    "main",
]

PROSE_KEYS = frozenset({"description", "summary", "example", "examples", "externalDocs"})

# Keys whose value is a map from *names* to objects (so the names are never
# taken for keywords).  ``parameters`` is a name map only under components.
NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "paths",
        "responses",
        "content",
        "headers",
        "schemas",
        "securitySchemes",
        "requestBodies",
        "variables",
        "encoding",
        "links",
        "callbacks",
        "definitions",
        "mapping",
    }
)

# Keys whose value is literal data, copied as is.
DATA_KEYS = frozenset({"enum", "default", "const", "security", "required", "scopes"})

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMPONENT_KINDS = ("schemas", "parameters", "responses", "requestBodies", "headers")
COMPONENT_POINTER = re.compile(r"^/components/([A-Za-z]+)/([^/]+)$")

MARK = "$component"
CYCLE = "$cycle"


@dataclass(frozen=True, order=True)
class Difference:
    """One contract difference; ``path`` is a JSON pointer."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


# ---------------------------------------------------------------------------
# JSON pointers
# ---------------------------------------------------------------------------


def _esc(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _join(path: str, *tokens: Any) -> str:
    return path + "".join("/" + _esc(t) for t in tokens)


def _walk_pointer(node: Any, pointer: str, where: str) -> Any:
    if pointer in ("", "/"):
        return node
    if not pointer.startswith("/"):
        raise ValueError(f"{where}: unsupported JSON pointer {pointer!r}")
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            if token not in node:
                raise KeyError(f"{where}: {token!r} not found (pointer {pointer})")
            node = node[token]
        else:
            raise KeyError(f"{where}: cannot descend into a scalar (pointer {pointer})")
    return node


# ---------------------------------------------------------------------------
# Loading and resolution
# ---------------------------------------------------------------------------


class Document:
    """An OpenAPI document, possibly spread over several files, fully resolved."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> None:
        """Load from ``path``, or use ``data`` as the root (tests).

        ``files`` maps extra in-memory file names (relative to the root) to
        their parsed content, for in-memory multi-file documents.
        """
        if (path is None) == (data is None):
            raise ValueError("give exactly one of path or data")
        self._cache: dict[Path, Any] = {}
        if data is not None:
            self.root_path = Path("/__memory__/root.yaml")
            self._cache[self.root_path] = data
            for name, content in (files or {}).items():
                self._cache[(self.root_path.parent / name).resolve()] = content
        else:
            self.root_path = Path(path).resolve()  # type: ignore[arg-type]
        self.raw: dict[str, Any] = self._file(self.root_path)
        if not isinstance(self.raw, dict):
            raise ValueError(f"{self.root_path}: not a mapping at the top level")
        self._memo: dict[tuple[Path, str], Any] = {}
        # component "<kind>/<Name>" -> list of (file, pointer) that define it
        self.reached: dict[str, set[tuple[Path, str]]] = {}
        self.resolved: dict[str, Any] = self._resolve(self.raw, self.root_path, ())
        self.components()  # reaches every local component as well
        # (file, pointer, keys) of contract keys written next to a $ref, which
        # OpenAPI 3.0 ignores - almost certainly a mistake in a hand-written file.
        self.ref_siblings: list[tuple[Path, str, list[str]]] = []
        for file in sorted(self._cache):
            self._find_ref_siblings(self._cache[file], file, "")

    def _find_ref_siblings(self, node: Any, file: Path, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                keys = sorted(
                    str(k)
                    for k in node
                    if k != "$ref" and k not in PROSE_KEYS and not str(k).startswith("x-")
                )
                if keys:
                    self.ref_siblings.append((file, where, keys))
            for key, value in node.items():
                self._find_ref_siblings(value, file, _join(where, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self._find_ref_siblings(value, file, _join(where, i))

    # -- files ----------------------------------------------------------------

    def _file(self, path: Path) -> Any:
        if path not in self._cache:
            try:
                with path.open(encoding="utf-8") as fh:
                    self._cache[path] = yaml.safe_load(fh)
            except FileNotFoundError:
                raise FileNotFoundError(f"referenced file not found: {path}") from None
        return self._cache[path]

    def _target(self, ref: str, base: Path) -> tuple[Path, str]:
        file_part, _, fragment = ref.partition("#")
        target = (base.parent / unquote(file_part)).resolve() if file_part else base
        return target, unquote(fragment)

    # -- resolution -----------------------------------------------------------

    def _resolve(self, node: Any, base: Path, stack: tuple[tuple[Path, str], ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self._follow(ref, base, stack)
            return {k: self._resolve(v, base, stack) for k, v in node.items()}
        if isinstance(node, list):
            return [self._resolve(v, base, stack) for v in node]
        return node

    def _follow(self, ref: str, base: Path, stack: tuple[tuple[Path, str], ...]) -> Any:
        key = self._target(ref, base)
        file, pointer = key
        if key in stack:
            return {CYCLE: pointer}
        if key in self._memo:
            return self._memo[key]
        target = _walk_pointer(self._file(file), pointer, f"{base}: $ref {ref!r}")
        value = self._resolve(target, file, stack + (key,))
        m = COMPONENT_POINTER.match(pointer)
        is_alias = isinstance(target, dict) and isinstance(target.get("$ref"), str)
        if m and not is_alias:
            name = f"{m.group(1)}/{m.group(2).replace('~1', '/').replace('~0', '~')}"
            self.reached.setdefault(name, set()).add(key)
            if isinstance(value, dict) and MARK not in value:
                value = {MARK: name, **value}
        if not _contains_cycle(value):
            self._memo[key] = value
        return value

    # -- bundling view --------------------------------------------------------

    def components(self) -> dict[str, dict[str, Any]]:
        """``{kind: {name: resolved}}`` as a bundler would emit them."""
        out: dict[str, dict[str, Any]] = {k: {} for k in COMPONENT_KINDS}
        self.collisions: list[tuple[str, list[str]]] = []
        local = self.raw.get("components") or {}
        for kind in COMPONENT_KINDS:
            for name, body in (local.get(kind) or {}).items():
                if isinstance(body, dict) and isinstance(body.get("$ref"), str):
                    continue  # alias: the target is reached (and counted) instead
                pointer = _join("/components", kind, name)
                self._follow("#" + pointer, self.root_path, ())
        for full, sources in sorted(self.reached.items()):
            kind, _, name = full.partition("/")
            if kind not in out:
                continue
            bodies = {}
            for file, pointer in sorted(sources):
                bodies[(file, pointer)] = self._memo.get((file, pointer)) or self._follow(
                    "#" + pointer if file == self.root_path else f"{file}#{pointer}", self.root_path, ()
                )
            values = list(bodies.values())
            if any(_normalise(v, False) != _normalise(values[0], False) for v in values[1:]):
                self.collisions.append((full, [f"{f}#{p}" for f, p in bodies]))
            out[kind][str(name)] = values[0]
        return out


def _contains_cycle(node: Any) -> bool:
    if isinstance(node, dict):
        return CYCLE in node or any(_contains_cycle(v) for v in node.values())
    if isinstance(node, list):
        return any(_contains_cycle(v) for v in node)
    return False


def load_document(path: str | Path) -> Document:
    return Document(path)


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


def _normalise(node: Any, extensions: bool, mode: str = "object") -> Any:
    """Strip prose (and, unless ``extensions``, ``x-`` keys) from a resolved tree.

    ``mode`` is ``object`` (keys are keywords), ``names`` (keys are names)
    or ``data`` (copied verbatim).
    """
    if mode == "data":
        return node
    if isinstance(node, list):
        return [_normalise(v, extensions, "object") for v in node]
    if not isinstance(node, dict):
        return node
    if mode == "names":
        return {str(k): _normalise(v, extensions, "object") for k, v in node.items()}
    out: dict[str, Any] = {}
    for key, value in node.items():
        key = str(key)
        if key in PROSE_KEYS:
            continue
        if key.startswith("x-") and not extensions:
            continue
        if key in (MARK, CYCLE):
            out[key] = value
        elif key in NAME_MAPS and isinstance(value, dict):
            out[key] = _normalise(value, extensions, "names")
        elif key in DATA_KEYS or key.startswith("x-"):
            out[key] = value
        elif key == "parameters" and isinstance(value, dict):
            out[key] = _normalise(value, extensions, "names")
        else:
            out[key] = _normalise(value, extensions, "object")
    return out


def _with_required_default(obj: Any) -> Any:
    if isinstance(obj, dict) and "required" not in obj and CYCLE not in obj:
        return {**obj, "required": False}
    return obj


# ---------------------------------------------------------------------------
# Generic tree diff
# ---------------------------------------------------------------------------


def _short(value: Any, limit: int = 140) -> str:
    if isinstance(value, dict) and MARK in value:
        return f"<{value[MARK]}>"
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _scalar_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _diff(ours: Any, theirs: Any, path: str, top: bool = False) -> Iterator[Difference]:
    """Differences between two normalised trees.

    A sub-tree that references the same component on both sides is not
    descended into (unless ``top``): the component itself is compared once,
    under ``/components``, so each difference is reported in one place.
    """
    if isinstance(ours, dict) and isinstance(theirs, dict):
        yield from _diff_dict(ours, theirs, path, top)
    elif isinstance(ours, list) and isinstance(theirs, list):
        yield from _diff_list(ours, theirs, path)
    elif isinstance(ours, dict | list) or isinstance(theirs, dict | list):
        yield Difference(path, f"ours is {_short(ours)}, upstream is {_short(theirs)}")
    elif not _scalar_equal(ours, theirs):
        yield Difference(path, f"value differs: ours {_short(ours)}, upstream {_short(theirs)}")


def _diff_dict(ours: dict[str, Any], theirs: dict[str, Any], path: str, top: bool) -> Iterator[Difference]:
    a_mark, b_mark = ours.get(MARK), theirs.get(MARK)
    if a_mark is not None and a_mark == b_mark and not top:
        return
    if a_mark != b_mark:
        if b_mark is None:
            yield Difference(path, f"ours references component {a_mark!r}, upstream has an inline definition")
        elif a_mark is None:
            yield Difference(path, f"ours is inline, upstream references component {b_mark!r}")
        else:
            yield Difference(path, f"references component {a_mark!r}, upstream {b_mark!r}")
    if CYCLE in ours or CYCLE in theirs:
        if ours.get(CYCLE) != theirs.get(CYCLE):
            yield Difference(
                path, f"recursive reference differs: ours {_short(ours)}, upstream {_short(theirs)}"
            )
        return
    for key in sorted(set(ours) | set(theirs), key=str):
        if key == MARK:
            continue
        sub = _join(path, key)
        if key not in theirs:
            yield Difference(sub, f"extra in ours: {_short(ours[key])}")
        elif key not in ours:
            yield Difference(sub, f"missing in ours (upstream: {_short(theirs[key])})")
        elif key == "required" and isinstance(ours[key], list) and isinstance(theirs[key], list):
            extra = sorted(set(map(str, ours[key])) - set(map(str, theirs[key])))
            missing = sorted(set(map(str, theirs[key])) - set(map(str, ours[key])))
            if missing:
                yield Difference(sub, f"required properties missing in ours: {missing}")
            if extra:
                yield Difference(sub, f"required properties extra in ours: {extra}")
        elif key == "enum" and isinstance(ours[key], list) and isinstance(theirs[key], list):
            yield from _diff_enum(ours[key], theirs[key], sub)
        else:
            yield from _diff(ours[key], theirs[key], sub)


def _diff_enum(ours: list[Any], theirs: list[Any], path: str) -> Iterator[Difference]:
    a = [json.dumps(v, sort_keys=True) for v in ours]
    b = [json.dumps(v, sort_keys=True) for v in theirs]
    missing = [v for v in theirs if json.dumps(v, sort_keys=True) not in a]
    extra = [v for v in ours if json.dumps(v, sort_keys=True) not in b]
    if missing:
        yield Difference(path, f"enum values missing in ours: {_short(missing)}")
    if extra:
        yield Difference(path, f"enum values extra in ours: {_short(extra)}")
    if not missing and not extra and a != b:
        yield Difference(path, f"enum order differs: ours {_short(ours)}, upstream {_short(theirs)}")


def _diff_list(ours: list[Any], theirs: list[Any], path: str) -> Iterator[Difference]:
    if len(ours) != len(theirs):
        yield Difference(path, f"list length differs: ours {len(ours)}, upstream {len(theirs)}")
    for i, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        yield from _diff(a, b, _join(path, i))
    for i in range(len(theirs), len(ours)):
        yield Difference(_join(path, i), f"extra item in ours: {_short(ours[i])}")
    for i in range(len(ours), len(theirs)):
        yield Difference(_join(path, i), f"missing item in ours (upstream: {_short(theirs[i])})")


# ---------------------------------------------------------------------------
# Document comparison
# ---------------------------------------------------------------------------


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    ops: dict[tuple[str, str], dict[str, Any]] = {}
    for p, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                ops[(str(p), method)] = item[method]
    return ops


def _parameters(path_item: dict[str, Any], op: dict[str, Any]) -> dict[tuple[str, str], Any]:
    merged: dict[tuple[str, str], Any] = {}
    for source in (path_item.get("parameters") or [], op.get("parameters") or []):
        for param in source:
            if isinstance(param, dict):
                merged[(str(param.get("in")), str(param.get("name")))] = _with_required_default(param)
    return merged


def _compare_operation(
    ours: dict[str, Any],
    theirs: dict[str, Any],
    ours_item: dict[str, Any],
    theirs_item: dict[str, Any],
    ours_doc: dict[str, Any],
    theirs_doc: dict[str, Any],
    path: str,
) -> Iterator[Difference]:
    for key in ("operationId", "tags"):
        if ours.get(key) != theirs.get(key):
            yield Difference(
                _join(path, key), f"ours {_short(ours.get(key))}, upstream {_short(theirs.get(key))}"
            )
    sec_a = ours.get("security", ours_doc.get("security"))
    sec_b = theirs.get("security", theirs_doc.get("security"))
    if sec_a != sec_b:
        yield Difference(
            _join(path, "security"),
            f"effective security differs: ours {_short(sec_a)}, upstream {_short(sec_b)}",
        )
    pa, pb = _parameters(ours_item, ours), _parameters(theirs_item, theirs)
    for pkey in sorted(set(pa) | set(pb)):
        sub = _join(path, "parameters", f"{pkey[0]}:{pkey[1]}")
        if pkey not in pb:
            yield Difference(sub, f"extra parameter in ours ({pkey[0]} {pkey[1]!r})")
        elif pkey not in pa:
            yield Difference(sub, f"missing parameter in ours ({pkey[0]} {pkey[1]!r})")
        else:
            yield from _diff(pa[pkey], pb[pkey], sub)
    order_a = [(str(p.get("in")), str(p.get("name"))) for p in ours.get("parameters") or []]
    order_b = [(str(p.get("in")), str(p.get("name"))) for p in theirs.get("parameters") or []]
    if set(order_a) == set(order_b) and order_a != order_b:
        yield Difference(
            _join(path, "parameters"),
            f"parameter order differs: ours {[n for _, n in order_a]}, upstream {[n for _, n in order_b]}",
        )
    rb_a, rb_b = ours.get("requestBody"), theirs.get("requestBody")
    if rb_a is not None or rb_b is not None:
        if rb_a is None:
            yield Difference(_join(path, "requestBody"), "missing in ours")
        elif rb_b is None:
            yield Difference(_join(path, "requestBody"), "extra in ours")
        else:
            yield from _diff(
                _with_required_default(rb_a), _with_required_default(rb_b), _join(path, "requestBody")
            )
    ra, rb = ours.get("responses") or {}, theirs.get("responses") or {}
    for code in sorted(set(ra) | set(rb)):
        sub = _join(path, "responses", code)
        if code not in rb:
            yield Difference(sub, f"extra response code {code} in ours")
        elif code not in ra:
            yield Difference(sub, f"missing response code {code} in ours")
        else:
            yield from _diff(ra[code], rb[code], sub)
    handled = {"operationId", "tags", "security", "parameters", "requestBody", "responses", MARK}
    rest_a = {k: v for k, v in ours.items() if k not in handled}
    rest_b = {k: v for k, v in theirs.items() if k not in handled}
    yield from _diff(rest_a, rest_b, path)


def compare(ours: Document, theirs: Document, *, extensions: bool = False) -> list[Difference]:
    """Every contract difference between ``ours`` and ``theirs`` (upstream)."""
    a = _normalise(ours.resolved, extensions)
    b = _normalise(theirs.resolved, extensions)
    diffs: list[Difference] = []
    add = diffs.extend

    add(_diff(a.get("openapi"), b.get("openapi"), "/openapi"))
    add(_diff(a.get("info"), b.get("info"), "/info"))
    add(_diff(a.get("servers"), b.get("servers"), "/servers"))
    add(_diff(a.get("security"), b.get("security"), "/security"))
    sa = (a.get("components") or {}).get("securitySchemes")
    sb = (b.get("components") or {}).get("securitySchemes")
    add(_diff(sa, sb, "/components/securitySchemes"))
    tags_a = [t.get("name") for t in a.get("tags") or [] if isinstance(t, dict)]
    tags_b = [t.get("name") for t in b.get("tags") or [] if isinstance(t, dict)]
    if tags_a != tags_b:
        diffs.append(Difference("/tags", f"tag names differ: ours {tags_a}, upstream {tags_b}"))
    known_top = {"openapi", "info", "servers", "security", "components", "tags", "paths"}
    add(
        _diff(
            {k: v for k, v in a.items() if k not in known_top},
            {k: v for k, v in b.items() if k not in known_top},
            "",
        )
    )

    paths_a, paths_b = a.get("paths") or {}, b.get("paths") or {}
    for p in sorted(set(paths_a) | set(paths_b)):
        sub = _join("/paths", p)
        if p not in paths_b:
            diffs.append(Difference(sub, "extra path in ours"))
            continue
        if p not in paths_a:
            diffs.append(Difference(sub, "missing path in ours"))
            continue
        item_a, item_b = paths_a[p], paths_b[p]
        for m in HTTP_METHODS:
            if m in item_a and m not in item_b:
                diffs.append(Difference(_join(sub, m), "extra method in ours"))
            elif m in item_b and m not in item_a:
                diffs.append(Difference(_join(sub, m), "missing method in ours"))
            elif m in item_a:
                add(_compare_operation(item_a[m], item_b[m], item_a, item_b, a, b, _join(sub, m)))
        rest_a = {k: v for k, v in item_a.items() if k not in HTTP_METHODS and k not in ("parameters", MARK)}
        rest_b = {k: v for k, v in item_b.items() if k not in HTTP_METHODS and k not in ("parameters", MARK)}
        add(_diff(rest_a, rest_b, sub))

    for file, where, sibling_keys in ours.ref_siblings:
        diffs.append(
            Difference(
                f"{file.name}#{where}", f"keys next to $ref are ignored by OpenAPI 3.0: {sibling_keys}"
            )
        )
    comp_a, comp_b = ours.components(), theirs.components()
    for doc, label in ((ours, "ours"), (theirs, "upstream")):
        for name, defined_in in doc.collisions:
            diffs.append(
                Difference(
                    _join("/components", *name.split("/", 1)),
                    f"{label}: component name defined differently in {defined_in}",
                )
            )
    for kind in COMPONENT_KINDS:
        na, nb = comp_a[kind], comp_b[kind]
        for name in sorted(set(na) | set(nb)):
            sub = _join("/components", kind, name)
            if name not in nb:
                diffs.append(Difference(sub, "extra component in ours"))
            elif name not in na:
                diffs.append(Difference(sub, "missing component in ours"))
            else:
                add(_diff(_normalise(na[name], extensions), _normalise(nb[name], extensions), sub, top=True))
    other_a = {
        k: v
        for k, v in (a.get("components") or {}).items()
        if k not in COMPONENT_KINDS and k != "securitySchemes"
    }
    other_b = {
        k: v
        for k, v in (b.get("components") or {}).items()
        if k not in COMPONENT_KINDS and k != "securitySchemes"
    }
    add(_diff(other_a, other_b, "/components"))
    return diffs


def compare_files(ours: str | Path, upstream: str | Path, *, extensions: bool = False) -> list[Difference]:
    return compare(Document(ours), Document(upstream), extensions=extensions)


def format_differences(diffs: Iterable[Difference]) -> str:
    return "\n".join(str(d) for d in diffs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.contract.specparity",
        description="Report every contract difference between our OpenAPI document and upstream's.",
    )
    parser.add_argument("ours", help="our document, e.g. spec/foundation.region.v1.yaml")
    parser.add_argument(
        "upstream", help="upstream document, e.g. .../seca-spec/bundled/foundation.region.v1.yaml"
    )
    parser.add_argument("--with-extensions", action="store_true", help="also compare x- extension keys")
    args = parser.parse_args(argv)
    try:
        diffs = compare_files(args.ours, args.upstream, extensions=args.with_extensions)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for d in diffs:
        print(d)
    sys.stdout.flush()
    print(f"{len(diffs)} difference(s): {args.ours} vs {args.upstream}", file=sys.stderr)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
