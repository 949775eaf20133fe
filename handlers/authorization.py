"""seca.authorization v1: roles and role assignments (global: no region)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from handlers._resources import delete_resource, get_resource, list_resources, put_resource
from secapi_hetzner.app import render
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.role import ROLE
from secapi_hetzner.resources.role_assignment import ROLE_ASSIGNMENT
from secapi_hetzner.services import Place


def _global(tenant: str) -> Place:
    return Place(tenant)  # no region: these resources are the same in every region


async def _list(kind: Kind, tenant: str, labels: str | None, limit: int | None, skip_token: str | None) -> Response:
    return await list_resources(kind, _global(tenant), labels, limit, skip_token)


async def list_roles(tenant: str, labels: str | None = None, limit: int | None = None,
                     skip_token: str | None = None) -> Response:
    return await _list(ROLE, tenant, labels, limit, skip_token)


async def get_role(tenant: str, name: str) -> Response:
    return await get_resource(ROLE, _global(tenant), name)


def create_or_update_role(tenant: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(ROLE, _global(tenant), name, body)


def delete_role(tenant: str, name: str) -> render.Accepted:
    return delete_resource(ROLE, _global(tenant), name)


async def list_role_assignments(tenant: str, labels: str | None = None, limit: int | None = None,
                                skip_token: str | None = None) -> Response:
    return await _list(ROLE_ASSIGNMENT, tenant, labels, limit, skip_token)


async def get_role_assignment(tenant: str, name: str) -> Response:
    return await get_resource(ROLE_ASSIGNMENT, _global(tenant), name)


def create_or_update_role_assignment(tenant: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(ROLE_ASSIGNMENT, _global(tenant), name, body)


def delete_role_assignment(tenant: str, name: str) -> render.Accepted:
    return delete_resource(ROLE_ASSIGNMENT, _global(tenant), name)
