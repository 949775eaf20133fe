"""operationId → handler function, for every spec document.

``handlers.<module>.<snake_case(operationId)>`` is bound when it exists. An operation without a
handler is bound to a stub that answers 501 naming the missing capability, and is listed as such in
the capability matrix. Every bound handler is wrapped once here: tenant authorization (the token's
tenant must be the path's tenant), role-based access control (:mod:`secapi_hetzner.app.access`), and the
Content-Type of the reply. Handlers are plain functions (Connexion runs them in a worker thread), except
reads served from memory, which are ``async`` and run on the event loop (:func:`_bind_read`).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from connexion.resolver import Resolution, Resolver
from starlette.concurrency import run_in_threadpool

from secapi_hetzner import errors
from secapi_hetzner.app import access, audit
from secapi_hetzner.app.context import current_principal
from secapi_hetzner.app.problems import status_for
from secapi_hetzner.scope import Api

JSON = "application/json"
HANDLER_MODULES = {
    "wellknown": "wellknown", "region": "region", "authorization": "authorization",
    "workspace": "workspace", "compute": "compute", "storage": "storage", "network": "network",
    "activity-log": "activitylog", "kubernetes": "kubernetes", "load-balancer": "loadbalancer",
    "nat-gateway": "natgateway", "object-storage": "objectstorage",
}
Handler = Callable[..., Any]


def snake_case(operation_id: str) -> str:
    """``createOrUpdateBlock-Storage`` → ``create_or_update_block_storage``; ``StartInstance`` → ``start_instance``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_id.replace("-", "_"))
    return re.sub(r"_+", "_", words).lower()


def handler_module(api: Api) -> ModuleType | None:
    try:
        return importlib.import_module(f"handlers.{HANDLER_MODULES[api.slug]}")
    except ModuleNotFoundError:
        return None


def find_handler(api: Api, operation_id: str) -> Handler | None:
    module = handler_module(api)
    handler = getattr(module, snake_case(operation_id), None) if module else None
    return handler if callable(handler) else None


def _authorize(kwargs: dict[str, Any]) -> None:
    tenant = kwargs.get("tenant")
    if tenant is None:
        return
    principal = current_principal()
    if principal is None or principal.tenant != tenant:
        raise errors.Forbidden(f"This token does not grant access to tenant {tenant!r}.")


def bind(handler: Handler, api: Api, method: str, template: str, operation_id: str) -> Handler:
    if inspect.iscoroutinefunction(handler):
        return _bind_read(handler, api, method, template, operation_id)
    audited = method in audit.AUDITED_METHODS

    @functools.wraps(handler)
    def bound(*args: Any, **kwargs: Any) -> Any:
        tenant = kwargs.get("tenant")
        try:
            result = _call(handler, api, method, template, args, kwargs)
        except errors.SecaError as exc:
            if tenant is not None and (audited or isinstance(exc, errors.Forbidden)):
                audit.record(str(tenant), method, operation_id, status_for(exc), str(exc))
            raise
        except Exception:
            if tenant is not None and audited:
                audit.record(str(tenant), method, operation_id, 500, "unexpected error")
            raise
        if tenant is not None and audited:
            status = result[1] if isinstance(result, tuple) else getattr(result, "status_code", 200)
            audit.record(str(tenant), method, operation_id, int(status))
        if isinstance(result, tuple) and len(result) == 2:
            body, status = result
            return (body, status, {"Content-Type": JSON}) if body is not None else ("", status)
        return result

    return bound


def _bind_read(handler: Handler, api: Api, method: str, template: str, operation_id: str) -> Handler:
    """An async read handler (a catalog read served from memory) runs on the event loop, without the hop to
    a worker thread: authorization decides with the tenant's kept rules (read again on the read pool, in
    the background before they are a second old; app/tenant_rules.py), and auditing a denial runs in a
    thread."""
    if method != "GET":
        raise TypeError(f"{operation_id}: only reads may be async handlers (nothing here audits a change)")

    @functools.wraps(handler)
    async def bound(*args: Any, **kwargs: Any) -> Any:
        tenant = kwargs.get("tenant")
        try:
            _authorize(kwargs)
            decided = None
            if tenant is not None:
                rules = await access.rules_on_loop(str(tenant))
                decided = access.authorise(api, method, template, kwargs, rules)
        except errors.Forbidden as exc:
            if tenant is not None:
                await run_in_threadpool(audit.record, str(tenant), method, operation_id, status_for(exc), str(exc))
            raise
        try:
            return await handler(*args, **kwargs)
        finally:
            if decided is not None:
                access.done(decided)

    return bound


def _call(handler: Handler, api: Api, method: str, template: str, args: tuple[Any, ...],
          kwargs: dict[str, Any]) -> Any:
    _authorize(kwargs)
    decided = access.authorise(api, method, template, kwargs) if "tenant" in kwargs else None
    try:
        return handler(*args, **kwargs)
    finally:
        if decided is not None:
            access.done(decided)


def not_built(api: Api, operation_id: str, reason: str) -> Handler:
    def unbuilt(**kwargs: Any) -> Any:
        _authorize(kwargs)
        raise errors.NotImplementedYet(f"{api.provider} {operation_id} is not available: {reason}",
                                       capability=f"{api.provider}:{operation_id}")

    unbuilt.__name__ = snake_case(operation_id)
    return unbuilt


class SecaResolver(Resolver):  # type: ignore[misc]
    def __init__(self, api: Api, reason_for: Callable[[Api, str], str]) -> None:
        self.api = api
        self.reason_for = reason_for
        super().__init__()

    def resolve(self, operation: Any) -> Resolution:
        """Bind the operation's handler with what access control needs to know of it (method, path)."""
        operation_id = self.resolve_operation_id(operation)
        handler = find_handler(self.api, operation_id)
        if handler is None:
            return Resolution(not_built(self.api, operation_id, self.reason_for(self.api, operation_id)), operation_id)
        return Resolution(bind(handler, self.api, operation.method.upper(), operation.path, operation_id),
                          operation_id)
