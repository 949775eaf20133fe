"""Every route the simulator serves, and how each kind of object is rendered for a state dump."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from . import (
    actions,
    catalog_routes,
    firewalls,
    floating_ips,
    images,
    networks,
    placement_groups,
    primary_ips,
    server_actions,
    server_create,
    server_networks,
    servers,
    ssh_keys,
    volumes,
)
from .model import Project, Record
from .routing import Route

Renderer = Callable[[Project, Record], Record]

RESOURCES: Final[dict[str, tuple[str, Renderer]]] = {
    "server": ("servers", servers.render),
    "volume": ("volumes", volumes.render),
    "ssh_key": ("ssh_keys", ssh_keys.render),
    "image": ("images", images.render),
    "placement_group": ("placement_groups", placement_groups.render),
    "network": ("networks", networks.render),
    "firewall": ("firewalls", firewalls.render),
    "primary_ip": ("primary_ips", primary_ips.render),
    "floating_ip": ("floating_ips", floating_ips.render),
}
WITH_ACTIONS: Final = ("server", "volume", "image", "network", "firewall", "primary_ip", "floating_ip")


def all_routes() -> list[Route]:
    routes = [
        *catalog_routes.ROUTES,
        *actions.ROUTES,
        *servers.ROUTES,
        Route("POST", "/servers", server_create.create_server),
        *server_actions.ROUTES,
        *server_networks.ROUTES,
        *volumes.ROUTES,
        *ssh_keys.ROUTES,
        *images.ROUTES,
        *placement_groups.ROUTES,
        *networks.ROUTES,
        *firewalls.ROUTES,
        *primary_ips.ROUTES,
        *floating_ips.ROUTES,
    ]
    for kind in WITH_ACTIONS:
        routes += actions.resource_action_routes(RESOURCES[kind][0], kind)
    return routes


def dump_project(project: Project) -> dict[str, list[Record]]:
    """Every object of the project, rendered as the API shows it, per collection name, sorted by id."""
    return {
        plural: [render(project, project.store(kind)[i]) for i in sorted(project.store(kind))]
        for kind, (plural, render) in RESOURCES.items()
    }
