"""seca.network v1."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from handlers._catalog import get_one, list_page
from handlers._resources import delete_resource, get_resource, list_resources, place, put_resource
from secapi_hetzner.app import render
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.internet_gateway import INTERNET_GATEWAY
from secapi_hetzner.resources.network import NETWORK_KIND
from secapi_hetzner.resources.nic import NIC
from secapi_hetzner.resources.public_ip import PUBLIC_IP
from secapi_hetzner.resources.route_table import ROUTE_TABLE
from secapi_hetzner.resources.security_group import SECURITY_GROUP
from secapi_hetzner.resources.security_group_rule import SECURITY_GROUP_RULE
from secapi_hetzner.resources.subnet import SUBNET
from secapi_hetzner.scope import NETWORK

SKUS = Catalog.network_skus


async def list_skus(tenant: str, labels: str | None = None, limit: int | None = None,
                    skip_token: str | None = None) -> Response:
    return await list_page(NETWORK, "skus", SKUS, tenant, labels, limit, skip_token)


async def get_sku(tenant: str, name: str) -> Response:
    return await get_one(NETWORK, SKUS, tenant, name, "Network SKU")


# -- NICs ------------------------------------------------------------------------------------------------


async def list_nics(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                    skip_token: str | None = None) -> Response:
    return await list_resources(NIC, place(tenant, workspace), labels, limit, skip_token)


async def get_nic(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(NIC, place(tenant, workspace), name)


def create_or_update_nic(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(NIC, place(tenant, workspace), name, body)


def delete_nic(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(NIC, place(tenant, workspace), name)


# -- public IPs ------------------------------------------------------------------------------------------


async def list_public_ips(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                          skip_token: str | None = None) -> Response:
    return await list_resources(PUBLIC_IP, place(tenant, workspace), labels, limit, skip_token)


async def get_public_ip(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(PUBLIC_IP, place(tenant, workspace), name)


def create_or_update_public_ip(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(PUBLIC_IP, place(tenant, workspace), name, body)


def delete_public_ip(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(PUBLIC_IP, place(tenant, workspace), name)


# -- security group rules and security groups -------------------------------------------------------------


async def list_security_group_rules(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                                    skip_token: str | None = None) -> Response:
    return await list_resources(SECURITY_GROUP_RULE, place(tenant, workspace), labels, limit, skip_token)


async def get_security_group_rule(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(SECURITY_GROUP_RULE, place(tenant, workspace), name)


def create_or_update_security_group_rule(tenant: str, workspace: str, name: str,
                                         body: dict[str, Any]) -> render.Reply:
    return put_resource(SECURITY_GROUP_RULE, place(tenant, workspace), name, body)


def delete_security_group_rule(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(SECURITY_GROUP_RULE, place(tenant, workspace), name)


async def list_security_groups(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                               skip_token: str | None = None) -> Response:
    return await list_resources(SECURITY_GROUP, place(tenant, workspace), labels, limit, skip_token)


async def get_security_group(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(SECURITY_GROUP, place(tenant, workspace), name)


def create_or_update_security_group(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(SECURITY_GROUP, place(tenant, workspace), name, body)


def delete_security_group(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(SECURITY_GROUP, place(tenant, workspace), name)


# -- networks, subnets, route tables, internet gateways -----------------------------------------------------


async def list_networks(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                        skip_token: str | None = None) -> Response:
    return await list_resources(NETWORK_KIND, place(tenant, workspace), labels, limit, skip_token)


async def get_network(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(NETWORK_KIND, place(tenant, workspace), name)


def create_or_update_network(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(NETWORK_KIND, place(tenant, workspace), name, body)


def delete_network(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(NETWORK_KIND, place(tenant, workspace), name)


async def list_subnets(tenant: str, workspace: str, network: str, labels: str | None = None, limit: int | None = None,
                       skip_token: str | None = None) -> Response:
    return await list_resources(SUBNET, place(tenant, workspace, network), labels, limit, skip_token)


async def get_subnet(tenant: str, workspace: str, network: str, name: str) -> Response:
    return await get_resource(SUBNET, place(tenant, workspace, network), name)


def create_or_update_subnet(tenant: str, workspace: str, network: str, name: str,
                            body: dict[str, Any]) -> render.Reply:
    return put_resource(SUBNET, place(tenant, workspace, network), name, body)


def delete_subnet(tenant: str, workspace: str, network: str, name: str) -> render.Accepted:
    return delete_resource(SUBNET, place(tenant, workspace, network), name)


async def list_route_tables(tenant: str, workspace: str, network: str, labels: str | None = None,
                            limit: int | None = None, skip_token: str | None = None) -> Response:
    return await list_resources(ROUTE_TABLE, place(tenant, workspace, network), labels, limit, skip_token)


async def get_route_table(tenant: str, workspace: str, network: str, name: str) -> Response:
    return await get_resource(ROUTE_TABLE, place(tenant, workspace, network), name)


def create_or_update_route_table(tenant: str, workspace: str, network: str, name: str,
                                 body: dict[str, Any]) -> render.Reply:
    return put_resource(ROUTE_TABLE, place(tenant, workspace, network), name, body)


def delete_route_table(tenant: str, workspace: str, network: str, name: str) -> render.Accepted:
    return delete_resource(ROUTE_TABLE, place(tenant, workspace, network), name)


async def list_internet_gateways(tenant: str, workspace: str, labels: str | None = None, limit: int | None = None,
                                 skip_token: str | None = None) -> Response:
    return await list_resources(INTERNET_GATEWAY, place(tenant, workspace), labels, limit, skip_token)


async def get_internet_gateway(tenant: str, workspace: str, name: str) -> Response:
    return await get_resource(INTERNET_GATEWAY, place(tenant, workspace), name)


def create_or_update_internet_gateway(tenant: str, workspace: str, name: str, body: dict[str, Any]) -> render.Reply:
    return put_resource(INTERNET_GATEWAY, place(tenant, workspace), name, body)


def delete_internet_gateway(tenant: str, workspace: str, name: str) -> render.Accepted:
    return delete_resource(INTERNET_GATEWAY, place(tenant, workspace), name)
