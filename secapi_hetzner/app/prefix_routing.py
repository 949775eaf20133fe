"""Starlette's ``Router`` tries its routes in order on every request. The service mounts one API per spec
document (13 of them), and two Connexion middlewares route every request: Swagger UI's (which only serves
each API's ``openapi.json``/``ui``, yet walks all 13 mounts and then, for a miss, each API's 6 docs routes
twice, once more for the trailing-slash redirect) and the routing middleware (13 mounts again). That walk
was the largest single cost of a resource GET after the database (about a tenth of its time).

:class:`PrefixRouter` keeps ``Router``'s behaviour exactly and only shortens the walk: a request is routed
by a ``Router`` holding just the routes that can match a path beginning with the request's first two
segments. A route can match only paths that begin with its literal prefix (its path up to the first
``{``), so a route whose literal prefix neither begins nor is begun by the request's is left out; the
others keep their order, default and redirect rule, and the trailing-slash variants the redirect rule
tries begin with the same two segments. The narrowed routers are kept per prefix (bounded).

Installed without forking Connexion: :func:`prefix_routed_middlewares` is Connexion's default middleware
list with the two routing middlewares subclassed to narrow their routers as each API is added.
"""

from __future__ import annotations

import functools
from typing import Any

from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

#: prefixes kept per router (a client may send any number of different ones: the rest are narrowed again)
KEPT_PREFIXES = 512
#: a longer prefix is narrowed on each request and not kept (its text would be kept with it)
LONGEST_KEPT = 256


def request_prefix(path: str) -> str:
    """The path's first two segments (``/a/b`` of ``/a/b/c``), without a trailing slash: the path and
    its trailing-slash variants (``/a/b/`` and ``/a/b``) have the same prefix."""
    third = path.find("/", path.find("/", 1) + 1) if path.startswith("/") else -1
    return path[:third] if third > 0 else path.rstrip("/")


def literal_prefix(route: BaseRoute) -> str:
    """The text every path the route can match begins with ("" when that is unknown: always a candidate)."""
    if isinstance(route, Route | Mount):
        return route.path.split("{", 1)[0]
    return ""


def may_match(route_prefix: str, prefix: str) -> bool:
    """Whether a path beginning with ``prefix`` may begin with ``route_prefix``."""
    return route_prefix.startswith(prefix) or prefix.startswith(route_prefix)


class PrefixRouter(Router):
    """A ``Router`` that routes each request among the routes its path's prefix can match (see the module)."""

    #: what the kept narrowings were made from (routes, default, redirect rule), and the narrowings
    _narrowed_from: tuple[int, Any, bool] | None = None
    _kept: Any = None

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        prefix = request_prefix(get_route_path(scope))
        made_from = (len(self.routes), self.default, self.redirect_slashes)
        if made_from != self._narrowed_from:  # the router changed (Connexion adds APIs): narrow afresh
            self._narrowed_from = made_from
            self._kept = functools.lru_cache(maxsize=KEPT_PREFIXES)(self._narrowed)
        router = self._kept(prefix) if len(prefix) <= LONGEST_KEPT else self._narrowed(prefix)
        await router.app(scope, receive, send)

    def _narrowed(self, prefix: str) -> Router:
        routes = [route for route in self.routes if may_match(literal_prefix(route), prefix)]
        return Router(routes=routes, redirect_slashes=self.redirect_slashes, default=self.default)


def narrow(router: Router) -> None:
    """Make ``router``, and every router mounted in it, a :class:`PrefixRouter` (in place: the objects
    Connexion holds stay the same)."""
    if type(router) is Router and getattr(router.middleware_stack, "__func__", None) is Router.app:
        router.__class__ = PrefixRouter
        router.middleware_stack = router.app  # (Router bound its app when it was made)
    for route in router.routes:
        if isinstance(route, Mount) and isinstance(route.app, Router):
            narrow(route.app)


class PrefixRoutedSwaggerUI(SwaggerUIMiddleware):  # type: ignore[misc]  # connexion is untyped
    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        narrow(self.router)


class PrefixRoutedRouting(RoutingMiddleware):  # type: ignore[misc]
    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        narrow(self.router)


def prefix_routed_middlewares() -> list[Any]:
    """Connexion's default middlewares, in its order, with the two routing ones narrowed."""
    swapped = {SwaggerUIMiddleware: PrefixRoutedSwaggerUI, RoutingMiddleware: PrefixRoutedRouting}
    return [swapped.get(middleware, middleware) for middleware in ConnexionMiddleware.default_middlewares]
