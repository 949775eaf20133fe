"""seca.network v1."""

from __future__ import annotations

from typing import Any

from handlers._catalog import get_one, list_page
from handlers._resources import delete_resource, get_resource, list_resources, place, put_resource
from secapi_hetzner.app import render
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.public_ip import PUBLIC_IP
from secapi_hetzner.scope import NETWORK

SKUS = Catalog.network_skus


def list_skus(tenant: str, labels: str | None = None, limit: int | None = None,
              skip_token: str | None = None) -> render.Reply:
    return list_page(NETWORK, "skus", SKUS, tenant, labels, limit, skip_token)


def get_sku(tenant: str, name: str) -> render.Reply:
    return get_one(SKUS, tenant, name, "Network SKU")


# -- public IPs ------------------------------------------------------------------------------------------


def list_public_ips(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                    skip_token: str | None = None) -> render.Reply:
    return list_resources(PUBLIC_IP, place(tenant, workspace), labels, limit, skip_token)


def get_public_ip(tenant: str, workspace: str, name: str) -> render.Reply:
    return get_resource(PUBLIC_IP, place(tenant, workspace), name)


def create_or_update_public_ip(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(PUBLIC_IP, place(tenant, workspace), name, body)


def delete_public_ip(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(PUBLIC_IP, place(tenant, workspace), name)
