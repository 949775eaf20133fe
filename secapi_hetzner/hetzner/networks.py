"""Private networks: one IPv4 range, ``cloud`` subnets in a network zone, and network-wide routes."""

from __future__ import annotations

from collections.abc import Mapping

from hcloud.networks import BoundNetwork, Network, NetworkRoute, NetworkSubnet

from secapi_hetzner.hetzner.actions import action_from
from secapi_hetzner.hetzner.core import GatewayCore
from secapi_hetzner.hetzner.models import HAction, HNetwork, HRoute, HSubnet, freeze_labels


def network_from(bound: BoundNetwork) -> HNetwork:
    network = bound.data_model
    return HNetwork(
        id=int(network.id or 0), name=str(network.name or ""), ip_range=str(network.ip_range or ""),
        subnets=tuple(HSubnet(str(s.ip_range), str(s.network_zone or ""), str(s.type or ""))
                      for s in network.subnets or []),
        routes=tuple(HRoute(str(r.destination), str(r.gateway)) for r in network.routes or []),
        # a bound server's id only: any other attribute would reload it from Hetzner
        server_ids=tuple(int(s.id or 0) for s in network.servers or []),
        labels=freeze_labels(network.labels),
    )


class NetworksMixin(GatewayCore):
    def find_networks(self, label_selector: str) -> list[HNetwork]:
        found = self._pages("networks.get_list", lambda page, per_page: self._client.networks.get_list(
            label_selector=label_selector, page=page, per_page=per_page))
        return [network_from(n) for n in found]

    def get_network(self, network_id: int) -> HNetwork:
        return network_from(self._call("networks.get_by_id", lambda: self._client.networks.get_by_id(network_id)))

    def create_network(self, *, name: str, ip_range: str, labels: Mapping[str, str]) -> HNetwork:
        """``POST /networks``: created at once (Hetzner answers no action)."""
        return network_from(self._call("networks.create", lambda: self._client.networks.create(
            name, ip_range, labels=dict(labels))))

    def delete_network(self, network_id: int) -> None:
        """Deletes its subnets and routes with it; refused while servers are attached."""
        self._call("networks.delete", lambda: self._client.networks.delete(Network(id=network_id)))

    def add_subnet(self, network_id: int, *, ip_range: str, network_zone: str) -> HAction:
        subnet = NetworkSubnet(ip_range=ip_range, type="cloud", network_zone=network_zone)
        return action_from(self._call("networks.add_subnet", lambda: self._client.networks.add_subnet(
            Network(id=network_id), subnet)))

    def delete_subnet(self, network_id: int, ip_range: str) -> HAction:
        return action_from(self._call("networks.delete_subnet", lambda: self._client.networks.delete_subnet(
            Network(id=network_id), NetworkSubnet(ip_range=ip_range))))

    def add_route(self, network_id: int, route: HRoute) -> HAction:
        return action_from(self._call("networks.add_route", lambda: self._client.networks.add_route(
            Network(id=network_id), NetworkRoute(route.destination, route.gateway))))

    def delete_route(self, network_id: int, route: HRoute) -> HAction:
        return action_from(self._call("networks.delete_route", lambda: self._client.networks.delete_route(
            Network(id=network_id), NetworkRoute(route.destination, route.gateway))))

    def server_private_ip(self, server_id: int, network_id: int) -> str | None:
        """The server's address in the network (``private_net``), or None when it is not attached."""
        server = self._call("servers.get_by_id", lambda: self._client.servers.get_by_id(server_id)).data_model
        for entry in server.private_net or []:
            if int(entry.network.id or 0) == network_id:
                return str(entry.ip)
        return None

