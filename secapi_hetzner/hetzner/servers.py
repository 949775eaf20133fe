"""Servers: reads, create, update, delete and the server actions the resource engine drives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hcloud.firewalls import Firewall
from hcloud.images import Image
from hcloud.locations import Location
from hcloud.networks import Network
from hcloud.placement_groups import PlacementGroup
from hcloud.primary_ips import PrimaryIP
from hcloud.server_types import ServerType
from hcloud.servers import BoundServer, Server, ServerCreatePublicNetwork
from hcloud.ssh_keys import SSHKey
from hcloud.volumes import Volume

from secapi_hetzner.hetzner.actions import action_from, optional_action
from secapi_hetzner.hetzner.core import GatewayCore, created_at
from secapi_hetzner.hetzner.images import snapshot_from
from secapi_hetzner.hetzner.models import HAction, HCreated, HPrivateNet, HServer, HSnapshot, freeze_labels


def _image_name(server: Server) -> str | None:
    if server.image is None:
        return None
    image = server.image.data_model
    return str(image.name) if image.name else str(image.id)


def server_from(bound: BoundServer) -> HServer:
    server = bound.data_model
    net = server.public_net
    return HServer(
        id=int(server.id or 0), name=str(server.name), status=str(server.status or "unknown"),
        server_type=str(server.server_type.data_model.name) if server.server_type else "",
        location=str(server.location.data_model.name) if server.location else "",
        image=_image_name(server), labels=freeze_labels(server.labels),
        volume_ids=tuple(int(v.id or 0) for v in server.volumes or []),
        primary_disk_size=int(server.primary_disk_size or 0),
        placement_group_id=int(server.placement_group.data_model.id or 0) if server.placement_group else None,
        ipv4=net.ipv4.ip if net is not None and net.ipv4 is not None else None,
        ipv6=net.ipv6.ip if net is not None and net.ipv6 is not None else None,
        locked=bool(server.locked), delete_protected=bool(server.protection and server.protection["delete"]),
        created=created_at(server.created),
        # bound objects' ids only: any other attribute would reload them from Hetzner
        private_net=tuple(HPrivateNet(network_id=int(p.network.id or 0), ip=str(p.ip),
                                      alias_ips=tuple(str(a) for a in p.alias_ips or ()),
                                      mac_address=str(p.mac_address or ""))
                          for p in server.private_net or []),
        primary_ipv4_id=_id_of(net.primary_ipv4) if net is not None else None,
        primary_ipv6_id=_id_of(net.primary_ipv6) if net is not None else None,
        firewall_ids=tuple(int(f.firewall.id or 0) for f in (net.firewalls or []) if f.firewall is not None)
        if net is not None else (),
    )


def _id_of(bound: object | None) -> int | None:
    ident = getattr(bound, "id", None) if bound is not None else None
    return int(ident) if ident else None


def _given(choice: bool | int) -> PrimaryIP | None:
    return None if isinstance(choice, bool) else PrimaryIP(id=choice)


def _image_ref(image: str | int) -> Image:
    return Image(id=image) if isinstance(image, int) else Image(name=image)


class ServersMixin(GatewayCore):
    def find_servers(self, label_selector: str) -> list[HServer]:
        """Every server matching the selector (one call per page of 50)."""
        found = self._pages("servers.get_list", lambda page, per_page: self._client.servers.get_list(
            label_selector=label_selector, page=page, per_page=per_page))
        return [server_from(s) for s in found]

    def get_server(self, server_id: int) -> HServer:
        return server_from(self._call("servers.get_by_id", lambda: self._client.servers.get_by_id(server_id)))

    def create_server(
        self, *, name: str, server_type: str, image: str | int, location: str, labels: Mapping[str, str],
        user_data: str | None = None, ssh_key_ids: Sequence[int] = (), volume_ids: Sequence[int] = (),
        placement_group_id: int | None = None, start_after_create: bool = False, automount: bool = False,
        network_ids: Sequence[int] = (), firewall_ids: Sequence[int] = (),
        public_ipv4: bool | int = True, public_ipv6: bool | int = True,
    ) -> HCreated[HServer]:
        """``POST /servers``. ``image`` is a system image name or an image id (snapshots have no name).
        ``public_ipv4``/``public_ipv6``: a primary IP id to assign, True for a new one Hetzner makes (and
        deletes with the server), False for none; a server with neither needs a network.

        If this raises, the server may exist anyway (Hetzner created it, the answer was lost): callers
        find it by label before creating again.
        """
        response = self._call("servers.create", lambda: self._client.servers.create(
            name, server_type=ServerType(name=server_type), image=_image_ref(image),
            location=Location(name=location), labels=dict(labels), user_data=user_data,
            ssh_keys=[SSHKey(id=i) for i in ssh_key_ids] or None,
            volumes=[Volume(id=i) for i in volume_ids] or None,
            automount=automount if volume_ids else None,
            placement_group=PlacementGroup(id=placement_group_id) if placement_group_id is not None else None,
            start_after_create=start_after_create,
            networks=[Network(id=i) for i in network_ids] or None,
            firewalls=[Firewall(id=i) for i in firewall_ids] or None,
            public_net=None if public_ipv4 is True and public_ipv6 is True else ServerCreatePublicNetwork(
                ipv4=_given(public_ipv4), ipv6=_given(public_ipv6),
                enable_ipv4=public_ipv4 is not False, enable_ipv6=public_ipv6 is not False),
        ))
        return HCreated(server_from(response.server), optional_action(response.action))

    def update_server(
        self, server_id: int, *, name: str | None = None, labels: Mapping[str, str] | None = None
    ) -> HServer:
        """``PUT /servers/{id}``; ``labels`` replaces all labels."""
        updated = self._call("servers.update", lambda: self._client.servers.update(
            Server(id=server_id), name=name, labels=dict(labels) if labels is not None else None))
        return server_from(updated)

    def delete_server(self, server_id: int) -> HAction:
        return action_from(self._call("servers.delete", lambda: self._client.servers.delete(Server(id=server_id))))

    def power_on(self, server_id: int) -> HAction:
        return action_from(self._call("servers.power_on",
                                      lambda: self._client.servers.power_on(Server(id=server_id))))

    def power_off(self, server_id: int) -> HAction:
        """Cut the power (no ACPI shutdown)."""
        return action_from(self._call("servers.power_off",
                                      lambda: self._client.servers.power_off(Server(id=server_id))))

    def shutdown(self, server_id: int) -> HAction:
        """ACPI shutdown: the action succeeds when Hetzner sent the signal, not when the server is off."""
        return action_from(self._call("servers.shutdown",
                                      lambda: self._client.servers.shutdown(Server(id=server_id))))

    def reboot(self, server_id: int) -> HAction:
        return action_from(self._call("servers.reboot", lambda: self._client.servers.reboot(Server(id=server_id))))

    def change_type(self, server_id: int, server_type: str, *, upgrade_disk: bool) -> HAction:
        """The server must be off (else ``server_not_stopped``, a rejection)."""
        return action_from(self._call("servers.change_type", lambda: self._client.servers.change_type(
            Server(id=server_id), ServerType(name=server_type), upgrade_disk=upgrade_disk)))

    def create_snapshot(
        self, server_id: int, *, description: str, labels: Mapping[str, str]
    ) -> tuple[HSnapshot, HAction]:
        """``create_image`` of type snapshot; the image is ``creating`` until the action succeeds."""
        response = self._call("servers.create_image", lambda: self._client.servers.create_image(
            Server(id=server_id), description=description, type="snapshot", labels=dict(labels)))
        return snapshot_from(response.image), action_from(response.action)

    def attach_to_network(self, server_id: int, network_id: int, *, ip: str | None,
                          alias_ips: Sequence[str] = ()) -> HAction:
        """Attach to a network with ``ip`` (None: Hetzner picks a free address of a subnet in the server's
        network zone); ``ip_not_available`` when it is taken."""
        return action_from(self._call("servers.attach_to_network", lambda: self._client.servers.attach_to_network(
            Server(id=server_id), Network(id=network_id), ip=ip, alias_ips=list(alias_ips))))

    def detach_from_network(self, server_id: int, network_id: int) -> HAction:
        return action_from(self._call("servers.detach_from_network",
                                      lambda: self._client.servers.detach_from_network(
                                          Server(id=server_id), Network(id=network_id))))

    def change_alias_ips(self, server_id: int, network_id: int, alias_ips: Sequence[str]) -> HAction:
        return action_from(self._call("servers.change_alias_ips", lambda: self._client.servers.change_alias_ips(
            Server(id=server_id), Network(id=network_id), list(alias_ips))))
