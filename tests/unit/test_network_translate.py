"""The pure network mapping: blocks Hetzner accepts, subnet placement, route conflicts and route plans."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.network import translate
from secapi_hetzner.resources.network.model import NetworkRecord, NetworkSpec
from secapi_hetzner.resources.route_table.model import RouteTableRecord
from secapi_hetzner.resources.route_table.translate import conflict, key_of, parse_routes, route_plan

V4 = ipaddress.IPv4Network
SKU = {"resource": "skus/hetzner-private-network"}


def refused(call: Any, *args: Any) -> PreconditionFailed:
    with pytest.raises(PreconditionFailed) as caught:
        call(*args)
    return caught.value


@pytest.mark.parametrize(("given", "realised"), [
    ("10.1.0.0/16", "10.1.0.0/16"), ("172.16.0.0/12", "172.16.0.0/12"), ("192.168.5.0/24", "192.168.5.0/24"),
    ("0.0.0.0/16", "10.0.0.0/16"),  # an all-zero address: the provider chooses
])
def test_network_ranges_hetzner_accepts(given: str, realised: str) -> None:
    assert translate.network_range({"ipv4": given}) == V4(realised)


@pytest.mark.parametrize(("given", "words"), [
    ("8.8.8.0/24", "RFC 1918"), ("10.1.0.0/25", "/24"), ("10.1.0.1/16", "CIDR"), ("0.0.0.0/0", "RFC 1918"),
    ("fd00::/56", "not an IPv4 block"), (None, "needs an IPv4 block"),
])
def test_network_ranges_hetzner_refuses_name_the_field(given: str | None, words: str) -> None:
    error = refused(translate.network_range, {"ipv4": given} if given else {})
    assert words in error.detail and error.detail.startswith("spec.cidr.ipv4")


def test_ipv6_is_checked_and_kept_apart() -> None:
    assert translate.ipv6_block({"ipv6": "fd12:3456::/56"}) == ipaddress.IPv6Network("fd12:3456::/56")
    assert translate.ipv6_block({"ipv6": "::/56"}) == ipaddress.IPv6Network("::/56")
    assert translate.ipv6_block({"ipv4": "10.0.0.0/16"}) is None
    assert "RFC 4193" in refused(translate.ipv6_block, {"ipv6": "2001:db8::/56"}).detail
    spec = NetworkSpec.parse({"cidr": {"ipv4": "10.0.0.0/16", "ipv6": "fd00::/56"}, "skuRef": SKU})
    assert (str(spec.ip_range), str(spec.ipv6)) == ("10.0.0.0/16", "fd00::/56")
    assert spec.sku.name == "hetzner-private-network"
    assert "one address range" in refused(NetworkSpec.parse, {"cidr": {"ipv4": "10.0.0.0/16"}, "skuRef": SKU,
                                                               "additionalCidrs": [{"ipv4": "10.1.0.0/16"}]}).detail


def test_subnets_lie_inside_their_network() -> None:
    network = V4("10.1.0.0/16")
    assert translate.subnet_range({"ipv4": "10.1.1.0/24"}, network) == V4("10.1.1.0/24")
    assert translate.subnet_range({"ipv4": "0.0.0.0/24"}, network) == V4("10.1.0.0/24")
    assert "not inside" in refused(translate.subnet_range, {"ipv4": "10.2.1.0/24"}, network).detail
    assert "not inside" in refused(translate.subnet_range, {"ipv4": "10.0.0.0/8"}, network).detail


def test_overlap_names_the_sibling_but_the_same_block_is_shared() -> None:
    siblings = [("a", V4("10.1.1.0/24")), ("b", V4("10.1.2.0/24"))]
    assert translate.overlapping(V4("10.1.1.0/24"), siblings) is None  # the same block: one Hetzner subnet
    assert translate.overlapping(V4("10.1.3.0/24"), siblings) is None
    assert translate.overlapping(V4("10.1.0.0/22"), siblings) == "a"
    assert translate.overlapping(V4("10.1.2.128/25"), siblings) == "b"


def gateway(name: str) -> dict[str, str]:
    return {"resource": f"internet-gateways/{name}"}


def instance(name: str) -> dict[str, str]:
    return {"resource": f"seca.compute/v1/tenants/t/workspaces/w/instances/{name}"}


def test_routes_parse_and_refuse() -> None:
    [route] = parse_routes([{"destinationCidrBlock": "0.0.0.0/0", "targetRef": gateway("igw")}])
    assert (str(route.destination), route.target_key) == ("0.0.0.0/0", ("internet-gateways", "igw"))
    assert "IPv4 only" in refused(parse_routes, [{"destinationCidrBlock": "::/0", "targetRef": gateway("g")}]).detail
    twice = [{"destinationCidrBlock": "10.9.0.0/16", "targetRef": gateway("g")},
             {"destinationCidrBlock": "10.9.0.0/16", "targetRef": instance("i")}]
    assert "twice" in refused(parse_routes, twice).detail
    error = refused(parse_routes, [{"destinationCidrBlock": "10.9.0.0/16", "targetRef": {"resource": "nics/n"}}])
    assert error.detail.startswith("spec.routes.0.targetRef")
    assert "at least one" in refused(parse_routes, []).detail
    assert "CIDR" in refused(parse_routes, [{"destinationCidrBlock": "not-a-cidr", "targetRef": gateway("g")}]).detail


def test_conflicts_are_one_destination_to_two_targets() -> None:
    mine = parse_routes([{"destinationCidrBlock": "0.0.0.0/0", "targetRef": gateway("igw")}])
    same = parse_routes([{"destinationCidrBlock": "0.0.0.0/0", "targetRef": gateway("igw")}])
    other = parse_routes([{"destinationCidrBlock": "10.0.0.0/8", "targetRef": instance("vm")},
                          {"destinationCidrBlock": "0.0.0.0/0", "targetRef": instance("nat")}])
    assert conflict(mine, [("rt-same", same)]) is None
    found = conflict(mine, [("rt-same", same), ("rt-nat", other)])
    assert found is not None and found[1] == "rt-nat" and found[2].describe() == "0.0.0.0/0 → instances/nat"


def test_route_plan_deletes_before_it_adds() -> None:
    current = [("10.9.0.0/16", "10.1.1.5"), ("10.8.0.0/16", "10.1.1.6")]
    wanted = [("10.9.0.0/16", "10.1.1.7"), ("10.8.0.0/16", "10.1.1.6")]
    assert route_plan(current, wanted) == ([("10.9.0.0/16", "10.1.1.5")], [("10.9.0.0/16", "10.1.1.7")])
    assert route_plan(wanted, wanted) == ([], [])
    assert route_plan(current, []) == (sorted(current), [])


def test_records_round_trip() -> None:
    record = RouteTableRecord.from_json({"network_id": 7, "programmed": [key_of("10.9.0.0/16", "10.1.1.5")]})
    assert record.programmed == ("10.9.0.0/16>10.1.1.5",) and record.destinations() == {"10.9.0.0/16": "10.1.1.5"}
    assert RouteTableRecord.from_json(record.to_json()) == record
    assert NetworkRecord.from_json({"network_id": 3, "create_attempts": 1}).to_json() == {
        "network_id": 3, "create_attempts": 1}
    with pytest.raises(ValueError, match="no field"):
        NetworkRecord.from_json({"server_id": 1})
