"""Primary IPs: a public IPv4 address or IPv6 /64 of the project, in one location, assignable to a
server there (while it is off). The service creates them unassigned and with ``auto_delete`` off, so
they outlive any server they are assigned to."""

from __future__ import annotations

from collections.abc import Mapping

from hcloud.locations import Location
from hcloud.primary_ips import BoundPrimaryIP, PrimaryIP

from secapi_hetzner.hetzner.actions import action_from, optional_action
from secapi_hetzner.hetzner.core import GatewayCore, created_at
from secapi_hetzner.hetzner.models import HAction, HCreated, HPrimaryIP, freeze_labels


def primary_ip_from(bound: BoundPrimaryIP) -> HPrimaryIP:
    ip = bound.data_model
    location = ip.location.name if ip.location is not None else ""
    return HPrimaryIP(id=int(ip.id or 0), name=str(ip.name or ""), type=str(ip.type or ""), ip=str(ip.ip or ""),
                      location=str(location or ""),
                      assignee_id=int(ip.assignee_id) if ip.assignee_id else None,
                      auto_delete=bool(ip.auto_delete), labels=freeze_labels(ip.labels),
                      delete_protected=bool(ip.protection and ip.protection["delete"]),
                      created=created_at(ip.created))


class PrimaryIPsMixin(GatewayCore):
    def find_primary_ips(self, label_selector: str) -> list[HPrimaryIP]:
        found = self._pages("primary_ips.get_list", lambda page, per_page: self._client.primary_ips.get_list(
            label_selector=label_selector, page=page, per_page=per_page))
        return [primary_ip_from(p) for p in found]

    def get_primary_ip(self, primary_ip_id: int) -> HPrimaryIP:
        return primary_ip_from(self._call("primary_ips.get_by_id",
                                          lambda: self._client.primary_ips.get_by_id(primary_ip_id)))

    def create_primary_ip(self, *, name: str, type: str, location: str,
                          labels: Mapping[str, str]) -> HCreated[HPrimaryIP]:
        """``POST /primary_ips``: unassigned, in ``location``, ``auto_delete`` off."""
        response = self._call("primary_ips.create", lambda: self._client.primary_ips.create(
            type, name, location=Location(name=location), auto_delete=False, labels=dict(labels)))
        return HCreated(primary_ip_from(response.primary_ip), optional_action(response.action))

    def delete_primary_ip(self, primary_ip_id: int) -> None:
        """Only an unassigned primary IP can be deleted (``must_be_unassigned``)."""
        self._call("primary_ips.delete", lambda: self._client.primary_ips.delete(PrimaryIP(id=primary_ip_id)))

    def assign_primary_ip(self, primary_ip_id: int, server_id: int) -> HAction:
        """The server must be off, in the primary IP's location, with no primary IP of that family."""
        return action_from(self._call("primary_ips.assign", lambda: self._client.primary_ips.assign(
            PrimaryIP(id=primary_ip_id), server_id, "server")))

    def unassign_primary_ip(self, primary_ip_id: int) -> HAction:
        """The server it is assigned to must be off."""
        return action_from(self._call("primary_ips.unassign",
                                      lambda: self._client.primary_ips.unassign(PrimaryIP(id=primary_ip_id))))
