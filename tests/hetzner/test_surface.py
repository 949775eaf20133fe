"""The gateway's compute and storage surface as a whole: every method costs exactly one counted call
and one HTTP request, returns only frozen models, and is covered here (completeness over the class)."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from secapi_hetzner import hetzner
from secapi_hetzner.hetzner import Gateway, HAction, HCreated, HRoute
from secapi_hetzner.hetzner.gateway import Gateway as GatewayClass
from secapi_hetzner.hetzner.models import HFirewallRule
from secapi_hetzner.simulator import RunningSimulator
from tests.hetzner.conftest import SYSTEM_IMAGE, http_requests, make_server, public_key, wait

CATALOG = {"list_locations", "list_server_types", "list_system_images", "ping"}


def _mixin_methods() -> set[str]:
    return {name for name, fn in inspect.getmembers(GatewayClass, inspect.isfunction)
            if not name.startswith("_") and name not in CATALOG}


def _only_models(value: Any) -> None:
    """Nothing from hcloud, and nothing mutable, leaves the gateway."""
    if value is None or isinstance(value, (str, int, float, bool, datetime)):
        return
    assert not type(value).__module__.startswith("hcloud"), type(value)
    if isinstance(value, (list, tuple)):
        for item in value:
            _only_models(item)
        return
    assert dataclasses.is_dataclass(value) and type(value).__module__ == "secapi_hetzner.hetzner.models"
    fields = dataclasses.fields(value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, fields[0].name, None)
    for field in fields:
        if field.name != "created":
            _only_models(getattr(value, field.name))


def test_every_method_is_one_counted_call_and_one_request(gateway: Gateway, simulator: RunningSimulator) -> None:
    server = make_server(gateway, start_after_create=True)
    volume, created = gateway.create_volume(name="v", size=10, location="fsn1", labels={"k": "v"})
    wait(gateway, created)
    key = gateway.create_ssh_key(name="k", public_key=public_key("k"), labels={})
    group = gateway.create_placement_group(name="g", labels={})
    snapshot, made = gateway.create_snapshot(server.id, description="s", labels={})
    wait(gateway, made)
    primary_ip, ip_made = gateway.create_primary_ip(name="p", type="ipv4", location="fsn1", labels={"k": "v"})
    firewall, _ = gateway.create_firewall(name="f", rules=[], labels={"k": "v"})
    rule = HFirewallRule(direction="in", protocol="tcp", port="22", source_ips=("0.0.0.0/0",))
    w: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("get_action", lambda: gateway.get_action(made.id)),
        ("get_actions", lambda: gateway.get_actions([made.id, created.id])),
        ("create_network", lambda: gateway.create_network(name="n", ip_range="10.0.0.0/16", labels={"k": "v"})),
        ("find_networks", lambda: gateway.find_networks("k=v")),
        ("get_network", lambda: gateway.get_network(w["create_network"].id)),
        ("add_subnet", lambda: gateway.add_subnet(w["create_network"].id, ip_range="10.0.1.0/24",
                                                  network_zone="eu-central")),
        ("attach_to_network", lambda: gateway.attach_to_network(server.id, w["create_network"].id, ip="10.0.1.5")),
        ("add_route", lambda: gateway.add_route(w["create_network"].id, HRoute("10.9.0.0/16", "10.0.1.2"))),
        ("server_private_ip", lambda: gateway.server_private_ip(server.id, w["create_network"].id)),
        ("change_alias_ips", lambda: gateway.change_alias_ips(server.id, w["create_network"].id, ["10.0.1.6"])),
        ("detach_from_network", lambda: gateway.detach_from_network(server.id, w["create_network"].id)),
        ("delete_route", lambda: gateway.delete_route(w["create_network"].id, HRoute("10.9.0.0/16", "10.0.1.2"))),
        ("delete_subnet", lambda: gateway.delete_subnet(w["create_network"].id, "10.0.1.0/24")),
        ("delete_network", lambda: gateway.delete_network(w["create_network"].id)),
        ("find_servers", lambda: gateway.find_servers("secapi.cloud/id")),
        ("get_server", lambda: gateway.get_server(server.id)),
        ("apply_firewall", lambda: gateway.apply_firewall(firewall.id, server.id)),
        ("remove_firewall", lambda: gateway.remove_firewall(firewall.id, server.id)),
        ("update_server", lambda: gateway.update_server(server.id, name="renamed", labels={"a": "b"})),
        ("reboot", lambda: gateway.reboot(server.id)),
        ("shutdown", lambda: gateway.shutdown(server.id)),
        ("power_on", lambda: gateway.power_on(server.id)),
        ("power_off", lambda: gateway.power_off(server.id)),
        ("change_type", lambda: gateway.change_type(server.id, "cx33", upgrade_disk=False)),
        ("unassign_primary_ip", lambda: gateway.unassign_primary_ip(w["get_server"].primary_ipv4_id)),
        ("assign_primary_ip", lambda: gateway.assign_primary_ip(primary_ip.id, server.id)),
        ("create_snapshot", lambda: gateway.create_snapshot(server.id, description="t", labels={"x": "y"})),
        ("find_snapshots", lambda: gateway.find_snapshots("")),
        ("get_image", lambda: gateway.get_image(snapshot.id)),
        ("update_image", lambda: gateway.update_image(snapshot.id, description="u")),
        ("delete_image", lambda: gateway.delete_image(snapshot.id)),
        ("find_volumes", lambda: gateway.find_volumes("k=v")),
        ("get_volume", lambda: gateway.get_volume(volume.id)),
        ("update_volume", lambda: gateway.update_volume(volume.id, labels={})),
        ("attach_volume", lambda: gateway.attach_volume(volume.id, server.id)),
        ("resize_volume", lambda: gateway.resize_volume(volume.id, 11)),
        ("detach_volume", lambda: gateway.detach_volume(volume.id)),
        ("delete_volume", lambda: gateway.delete_volume(volume.id)),
        ("create_volume", lambda: gateway.create_volume(name="v2", size=10, location="fsn1", labels={})),
        ("find_ssh_keys", lambda: gateway.find_ssh_keys("")),
        ("get_ssh_key_by_fingerprint", lambda: gateway.get_ssh_key_by_fingerprint(key.fingerprint)),
        ("create_ssh_key", lambda: gateway.create_ssh_key(name="k2", public_key=public_key("k2"), labels={})),
        ("delete_ssh_key", lambda: gateway.delete_ssh_key(key.id)),
        ("find_placement_groups", lambda: gateway.find_placement_groups("")),
        ("get_placement_group", lambda: gateway.get_placement_group(group.id)),
        ("create_placement_group", lambda: gateway.create_placement_group(name="g2", labels={})),
        ("delete_placement_group", lambda: gateway.delete_placement_group(group.id)),
        ("create_server", lambda: gateway.create_server(
            name="second", server_type="cx23", image=SYSTEM_IMAGE, location="fsn1", labels={})),
        ("delete_server", lambda: gateway.delete_server(server.id)),
        ("find_primary_ips", lambda: gateway.find_primary_ips("k=v")),
        ("get_primary_ip", lambda: gateway.get_primary_ip(primary_ip.id)),
        ("delete_primary_ip", lambda: gateway.delete_primary_ip(primary_ip.id)),
        ("create_primary_ip", lambda: gateway.create_primary_ip(name="p2", type="ipv6", location="nbg1", labels={})),
        ("find_firewalls", lambda: gateway.find_firewalls("k=v")),
        ("get_firewall", lambda: gateway.get_firewall(firewall.id)),
        ("set_firewall_rules", lambda: gateway.set_firewall_rules(firewall.id, [rule])),
        ("delete_firewall", lambda: gateway.delete_firewall(firewall.id)),
        ("create_firewall", lambda: gateway.create_firewall(name="f2", rules=[rule], labels={})),
    ]
    assert {name for name, _ in steps} == _mixin_methods(), "a gateway method has no step here"
    for name, step in steps:
        calls, requests = gateway.counter.total, http_requests(simulator)
        w[name] = result = step()
        assert (gateway.counter.total - calls, http_requests(simulator) - requests) == (1, 1), name
        _only_models(result)
        action = result if isinstance(result, HAction) else result[1] if isinstance(result, tuple) else None
        if isinstance(action, HAction):
            assert wait(gateway, action).succeeded, name
    assert isinstance(w["create_server"], HCreated) and isinstance(w["create_volume"], HCreated)
    assert {a.id for a in w["get_actions"]} == {made.id, created.id}  # two actions, one request


def test_lists_are_paged_one_counted_call_per_page(gateway: Gateway, simulator: RunningSimulator) -> None:
    for n in range(53):
        gateway.create_placement_group(name=f"g{n}", labels={"batch": "1"})
    before = gateway.counter.snapshot().get("placement_groups.get_list", 0)
    found = gateway.find_placement_groups("batch=1")
    assert len(found) == 53 and len({g.id for g in found}) == 53
    assert gateway.counter.snapshot()["placement_groups.get_list"] - before == 2  # 50 + 3


def test_models_are_frozen(gateway: Gateway) -> None:
    group = gateway.create_placement_group(name="g", labels={"a": "1"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        group.name = "other"  # type: ignore[misc]
    assert hash(group.labels) == hash((("a", "1"),))


def test_the_package_exports_the_models() -> None:
    for name in ("HAction", "HCreated", "HServer", "HVolume", "HSshKey", "HSnapshot", "HPlacementGroup",
                 "HNetwork", "HSubnet", "HRoute", "Labels", "freeze_labels"):
        assert name in hetzner.__all__ and hasattr(hetzner, name)
