"""Routes and their request context, plus the generic list/get helpers every resource module uses.

A route is registered with the path template exactly as Hetzner's OpenAPI document spells it
(``/servers/{id}/actions/poweron``); the template is also the key of the request counters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import invalid_field
from .labels import labels_of, parse_selector
from .model import Project, Record
from .pagination import page_params, paginate


@dataclass
class Ctx:
    """What a handler gets: the caller's project, path ids, query and JSON body."""

    project: Project
    path: dict[str, int] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.path["id"]

    def q(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def qs(self, name: str) -> list[str]:
        return self.query.get(name, [])


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None = None


Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler

    @property
    def regex(self) -> re.Pattern[str]:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[0-9]+)", self.template)
        return re.compile(f"^{pattern}$")


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)
        self._compiled = [(route, route.regex) for route in self.routes]

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, int], list[str]]:
        """The route and its ids; without a route, the methods the path allows (empty: unknown)."""
        allowed = []
        for route, regex in self._compiled:
            found = regex.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, {k: int(v) for k, v in found.groupdict().items()}, []
            allowed.append(route.method)
        return None, {}, allowed


Test = Callable[[Record, list[str]], bool]


def field_in(name: str) -> Test:
    return lambda record, values: str(record.get(name)) in values


@dataclass(frozen=True)
class Filter:
    param: str
    test: Test
    allowed: tuple[str, ...] | None = None


def _check_values(ctx: Ctx, spec: Filter) -> list[str]:
    values = ctx.qs(spec.param)
    if spec.allowed is not None:
        for value in values:
            if value not in spec.allowed:
                raise invalid_field(spec.param, f"'{value}' is not one of {', '.join(spec.allowed)}")
    return values


def _sort(ctx: Ctx, records: list[Record], keys: Sequence[str]) -> list[Record]:
    ordered = sorted(records, key=lambda r: r["id"])
    for spec in reversed(ctx.qs("sort")):
        name, _, direction = spec.partition(":")
        if name not in keys or direction not in ("", "asc", "desc"):
            raise invalid_field("sort", f"'{spec}' is not a valid sort order")
        ordered.sort(key=lambda r: (r.get(name) is not None, r.get(name) or 0), reverse=direction == "desc")
    return ordered


def list_reply(
    ctx: Ctx,
    plural: str,
    records: Iterable[Record],
    render: Callable[[Record], Record],
    *,
    filters: Sequence[Filter] = (),
    sorts: Sequence[str] = ("id", "name", "created"),
    selectable: bool = True,
) -> Reply:
    """Filter (``name``, ``label_selector``, ``filters``), sort, paginate and render a collection."""
    page, per_page = page_params(ctx.query)
    chosen = list(records)
    name = ctx.q("name")
    if name is not None:
        chosen = [r for r in chosen if r.get("name") == name]
    selector = ctx.q("label_selector")
    if selectable and selector is not None:
        matcher = parse_selector(selector)
        chosen = [r for r in chosen if matcher.matches(labels_of(r))]
    for spec in filters:
        values = _check_values(ctx, spec)
        if values:
            chosen = [r for r in chosen if spec.test(r, values)]
    items, meta = paginate(_sort(ctx, chosen, sorts), page, per_page)
    return Reply(200, {plural: [render(r) for r in items], "meta": {"pagination": meta}})


def one(key: str, record: Record, status: int = 200, **extra: Any) -> Reply:
    return Reply(status, {key: record, **extra})
