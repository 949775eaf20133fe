"""Connexion 3.3 builds an operation's decorators again on every request (``AsyncOperation.fn`` is a
property that decorates the handler anew, and the decorator's wrapper decorates it once more, calling
``inspect.signature`` each time). The decoration depends on nothing of the request (the operation is read
from the request context when the wrapper runs), so this builds it once per operation. Upstream-compatible:
the same classes, one overridden method each, installed through ``api_cls`` on the app's router."""

from __future__ import annotations

import functools
import typing as t

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.operations import AbstractOperation


@functools.lru_cache(maxsize=16)
def _memoised(sanitize: t.Callable[[str], str]) -> t.Callable[[str], str]:
    return functools.lru_cache(maxsize=4096)(sanitize)


class OnceParameterDecorator(AsyncParameterDecorator):  # type: ignore[misc]
    """Connexion turns every parameter name into its Python name (three regular expressions and
    ``inflection.underscore``) on every request; the names are the spec's (strict validation refuses
    others before this runs), so each is converted once."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.sanitize_fn = _memoised(self.sanitize_fn)  # type: ignore[has-type]


class OnceStarletteDecorator(StarletteDecorator):  # type: ignore[misc]  # connexion is untyped
    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return OnceParameterDecorator

    def __call__(self, function: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        decorated = self.decorate(function)  # once, not per request

        @functools.wraps(function)
        async def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            request = self.framework.get_request(uri_parser=self.uri_parser, scope=scope, receive=receive)
            return await decorated(request)

        return wrapper


class OnceAsyncOperation(AsyncOperation):  # type: ignore[misc]
    @functools.cached_property
    def fn(self) -> t.Callable[..., t.Any]:
        return OnceStarletteDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self._fn)


class OnceAsyncApi(AsyncApi):  # type: ignore[misc]
    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return OnceAsyncOperation.from_operation(operation, pythonic_params=self.pythonic_params,
                                                 jsonifier=self.jsonifier)
