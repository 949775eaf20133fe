"""Firewalls: up to 50 rules (direction, protocol, port, source/destination CIDRs), applied to servers'
public interfaces directly or through label selectors. ``set_rules`` replaces every rule at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hcloud.firewalls import BoundFirewall, Firewall, FirewallResource, FirewallRule
from hcloud.servers import Server

from secapi_hetzner.hetzner.actions import action_from
from secapi_hetzner.hetzner.core import GatewayCore, created_at
from secapi_hetzner.hetzner.models import HAction, HCreated, HFirewall, HFirewallRule, freeze_labels


def _rule_from(rule: FirewallRule) -> HFirewallRule:
    return HFirewallRule(direction=str(rule.direction), protocol=str(rule.protocol),
                         port=str(rule.port) if rule.port is not None else None,
                         source_ips=tuple(rule.source_ips or ()), destination_ips=tuple(rule.destination_ips or ()),
                         description=rule.description or None)


def firewall_from(bound: BoundFirewall) -> HFirewall:
    firewall = bound.data_model
    servers = tuple(int(entry.server.id or 0) for entry in firewall.applied_to or []
                    if entry.type == "server" and entry.server is not None)
    return HFirewall(id=int(firewall.id or 0), name=str(firewall.name or ""),
                     rules=tuple(_rule_from(rule) for rule in firewall.rules or []), applied_to_servers=servers,
                     labels=freeze_labels(firewall.labels), created=created_at(firewall.created))


def _hcloud_rule(rule: HFirewallRule) -> FirewallRule:
    return FirewallRule(direction=rule.direction, protocol=rule.protocol, port=rule.port,
                        source_ips=list(rule.source_ips), destination_ips=list(rule.destination_ips),
                        description=rule.description)


def _on_server(server_id: int) -> list[FirewallResource]:
    return [FirewallResource(type="server", server=Server(id=server_id))]


class FirewallsMixin(GatewayCore):
    def find_firewalls(self, label_selector: str) -> list[HFirewall]:
        found = self._pages("firewalls.get_list", lambda page, per_page: self._client.firewalls.get_list(
            label_selector=label_selector, page=page, per_page=per_page))
        return [firewall_from(f) for f in found]

    def get_firewall(self, firewall_id: int) -> HFirewall:
        return firewall_from(self._call("firewalls.get_by_id", lambda: self._client.firewalls.get_by_id(firewall_id)))

    def create_firewall(self, *, name: str, rules: Sequence[HFirewallRule],
                        labels: Mapping[str, str]) -> HCreated[HFirewall]:
        """``POST /firewalls`` applied to nothing; the action is the rules' ``set_firewall_rules`` (None
        without rules: the firewall is complete at once)."""
        response = self._call("firewalls.create", lambda: self._client.firewalls.create(
            name, rules=[_hcloud_rule(rule) for rule in rules],
            labels=dict(labels)))  # type: ignore[arg-type]  # hcloud 2.27 annotates labels as str
        actions = [action_from(action) for action in response.actions or []]
        return HCreated(firewall_from(response.firewall), actions[0] if actions else None)

    def set_firewall_rules(self, firewall_id: int, rules: Sequence[HFirewallRule]) -> HAction | None:
        """``POST /firewalls/{id}/actions/set_rules``: replaces every rule (an empty list removes them)."""
        actions = self._call("firewalls.set_rules", lambda: self._client.firewalls.set_rules(
            Firewall(id=firewall_id), [_hcloud_rule(rule) for rule in rules]))
        return action_from(actions[0]) if actions else None

    def delete_firewall(self, firewall_id: int) -> None:
        """Only a firewall applied to nothing can be deleted (``resource_in_use``)."""
        self._call("firewalls.delete", lambda: self._client.firewalls.delete(Firewall(id=firewall_id)))

    def apply_firewall(self, firewall_id: int, server_id: int) -> HAction | None:
        """Apply to one server's public interfaces (``private_net_only_server`` for a server without one)."""
        actions = self._call("firewalls.apply_to_resources", lambda: self._client.firewalls.apply_to_resources(
            Firewall(id=firewall_id), _on_server(server_id)))
        return action_from(actions[0]) if actions else None

    def remove_firewall(self, firewall_id: int, server_id: int) -> HAction | None:
        actions = self._call("firewalls.remove_from_resources",
                             lambda: self._client.firewalls.remove_from_resources(
                                 Firewall(id=firewall_id), _on_server(server_id)))
        return action_from(actions[0]) if actions else None
