"""The pure NIC mapping: SECA addresses → a Hetzner attachment's ip and alias IPs, the NIC spec, the record,
and what a server create asks for from a networking plan."""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace

import pytest

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec
from secapi_hetzner.resources.instance.networking import NetworkPlan
from secapi_hetzner.resources.nic.model import NicRecord, NicSpec
from secapi_hetzner.resources.nic.translate import status_addresses, wanted_addresses

SUBNET = ipaddress.IPv4Network("10.1.1.0/24")
NETWORK = ipaddress.IPv4Network("10.1.0.0/16")


@pytest.mark.parametrize(("addresses", "ip", "aliases"), [
    (("10.1.1.1",), "10.1.1.1", ()),
    (("0.0.0.0",), None, ()),
    (("0.0.0.0", "10.1.1.9"), None, ("10.1.1.9",)),
    (("10.1.1.5", "10.1.1.6", "10.1.1.7"), "10.1.1.5", ("10.1.1.6", "10.1.1.7")),
    (("10.1.1.254",), "10.1.1.254", ()),
])
def test_addresses_become_the_attachment_ip_and_alias_ips(addresses: tuple[str, ...], ip: str | None,
                                                          aliases: tuple[str, ...]) -> None:
    assert wanted_addresses(addresses, SUBNET, NETWORK) == (ip, aliases)


@pytest.mark.parametrize(("addresses", "detail", "index"), [
    ((), "at least one address", None),
    (("10.1.2.1",), "not a host address of subnet 10.1.1.0/24", 0),
    (("10.1.1.0",), "not a host address", 0),
    (("10.1.1.255",), "not a host address", 0),
    (("::",), "IPv4 only", 0),
    (("10.1.1.4", "fd00::1"), "IPv4 only", 1),
    (("10.1.1.4", "0.0.0.0"), "only the first address may be 0.0.0.0", 1),
    (("10.1.1.4", "10.1.1.4"), "given twice", 1),
    (("10.1.1.04",), "not an IP address", 0),
    (("x" * 39,), "not an IP address", 0),
])
def test_addresses_hetzner_cannot_take_are_refused_naming_the_entry(addresses: tuple[str, ...], detail: str,
                                                                      index: int | None) -> None:
    with pytest.raises(PreconditionFailed) as caught:
        wanted_addresses(addresses, SUBNET, NETWORK)
    assert detail in caught.value.detail
    if index is not None:
        assert caught.value.pointer == f"/spec/addresses/{index}"


def test_the_network_gateway_is_refused_when_the_subnet_holds_it() -> None:
    with pytest.raises(PreconditionFailed) as caught:
        wanted_addresses(("10.1.0.1",), ipaddress.IPv4Network("10.1.0.0/24"), NETWORK)
    assert "gateway" in caught.value.detail


def test_status_addresses_only_what_hetzner_assigned() -> None:
    assert status_addresses("10.1.1.3", ("10.1.1.4",)) == ["10.1.1.3", "10.1.1.4"]
    assert status_addresses(None, ("10.1.1.4",)) == []


def test_nic_spec_and_record_round_trip() -> None:
    spec = NicSpec.parse({"addresses": ["10.1.1.1"], "subnetRef": {"resource": "networks/n/subnets/s"},
                          "publicIpRefs": [{"resource": "public-ips/a"}, {"resource": "public-ips/a"}],
                          "securityGroupRefs": [{"resource": "security-groups/g"}]})
    assert (spec.network, spec.subnet.name, spec.public_ip_names, spec.security_group_names) == \
        ("n", "s", ("a",), ("g",))
    record = NicRecord(instance="vm", server_id=3, network_id=4, ip="10.1.1.1", alias_ips=("10.1.1.2",))
    assert NicRecord.from_json(record.to_json()) == record
    with pytest.raises(PreconditionFailed):
        NicSpec.parse({"addresses": "10.1.1.1", "subnetRef": {"resource": "networks/n/subnets/s"}})


def test_instance_nics_primary_first_once_each() -> None:
    spec = InstanceSpec.parse({"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
                               "bootVolume": {"deviceRef": {"resource": "block-storages/b"}},
                               "primaryNicRef": {"resource": "nics/a"},
                               "additionalNicRefs": [{"resource": "nics/b"}, {"resource": "nics/a"}]})
    assert spec.nic_names == ("a", "b")
    record = InstanceRecord(nics=("a",), network_ids=(4,), primary_ip_ids=(7,), public_addresses=("1.2.3.4",))
    assert InstanceRecord.from_json(record.to_json()) == record


def test_what_a_create_asks_for() -> None:
    assert NetworkPlan().create_public("ipv4") is True and NetworkPlan().create_networks == ()
    private = NetworkPlan(attachments=(SimpleNamespace(network_id=5),), public=False)  # type: ignore[arg-type]
    assert private.create_public("ipv4") is False and private.create_public("ipv6") is False
    assert private.create_networks == (5,)  # Hetzner creates a server without public interfaces only in a network
    bound = NetworkPlan(primary_ips={"ipv4": 17}, public=True)
    assert bound.create_public("ipv4") == 17 and bound.create_public("ipv6") is True
