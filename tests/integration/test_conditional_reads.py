"""Conditional reads on every GET operation of every served API: an ``ETag`` on each 200, ``304`` without a
body for ``If-None-Match`` with that tag (or ``*``), a new tag once what the answer shows changed."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from secapi_hetzner.app.capabilities import build_matrix
from secapi_hetzner.app.etags import matches
from tests.conftest import OWN_SPEC, TENANT, Service
from tests.support.refs import ref

WS = "ws-etag"
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"


@pytest.fixture(scope="module", autouse=True)
def estate(service: Service) -> None:
    """One resource of each kind, so that every item GET has something to read."""
    table = ref(f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net/route-tables/rt")
    bodies: list[tuple[str, dict[str, Any]]] = [
        (f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}", {"spec": {}}),
        (f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{WS}/block-storages/disk",
         {"spec": {"sizeGB": 20, "skuRef": ref("skus/local-nvme")}}),
        (f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{WS}/instances/vm",
         {"spec": {"skuRef": ref("skus/cx23"), "zone": "fsn1", "bootVolume": {"deviceRef": ref(
             "block-storages/disk")}}}),
        (f"{NET}/networks/net", {"spec": {"cidr": {"ipv4": "10.3.0.0/16"}, "skuRef": ref(
            "skus/hetzner-private-network")}}),
        (f"{NET}/internet-gateways/ig", {"spec": {}}),
        (f"{NET}/networks/net/route-tables/rt", {"spec": {"routes": [
            {"destinationCidrBlock": "0.0.0.0/0", "targetRef": ref("internet-gateways/ig")}]}}),
        (f"{NET}/networks/net/subnets/sub", {"spec": {"cidr": {"ipv4": "10.3.1.0/24"}, "zone": "fsn1",
                                                       "routeTableRef": table}}),
        (f"{NET}/public-ips/pip", {"spec": {"version": "IPv4"}}),
        (f"{NET}/security-group-rules/rule", {"spec": {"direction": "ingress"}}),
        (f"{NET}/security-groups/sg", {"spec": {"rules": [{"direction": "ingress"}]}}),
        (f"{NET}/nics/nic", {"spec": {"addresses": ["10.3.1.9"], "subnetRef": ref(
            f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net/subnets/sub")}}),
    ]
    for path, body in bodies:
        assert service.put(path, body).status_code in (200, 201), path
    service.drain()


def get_operations() -> list[tuple[str, str]]:
    return [(row.api, row.path) for row in build_matrix(OWN_SPEC)
            if row.method == "GET" and row.status in ("supported", "partial")]


def url_for(service: Service, provider: str, template: str) -> str:
    """The operation's URL in the estate; an item GET names the first item its collection lists."""
    values = {"tenant": TENANT, "workspace": WS, "network": "net"}
    path = re.sub(r"\{(tenant|workspace|network)\}", lambda m: values[m.group(1)], template)
    prefix = "" if provider.startswith("seca.wellknown") else f"/providers/{provider.split('/')[0]}"
    if "{name}" in path:
        listed = service.get(prefix + path.rsplit("/", 1)[0]).json()
        items = listed.get("items") or []
        assert items, f"the estate has no item for {template}"
        path = path.replace("{name}", items[0]["metadata"]["name"])
    return prefix + path


@pytest.mark.parametrize(("provider", "template"), get_operations())
def test_every_get_answers_conditionally(service: Service, provider: str, template: str) -> None:
    url = url_for(service, provider, template)
    first = service.get(url)
    assert first.status_code == 200, first.text
    tag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
    assert service.get(url).headers["ETag"] == tag  # the same answer, the same tag
    for condition in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = service.get(url, headers={"If-None-Match": condition})
        assert again.status_code == 304, (condition, again.text)
        assert again.content == b"" and again.headers["ETag"] == tag and "content-type" not in again.headers
    assert service.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_a_change_gives_a_new_tag(service: Service) -> None:
    path = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}"
    before = service.get(path).headers["ETag"]
    assert service.put(path, {"labels": {"changed": "yes"}, "spec": {}}).status_code == 200
    after = service.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert after.json()["labels"] == {"changed": "yes"}


def test_errors_and_writes_carry_no_tag(service: Service) -> None:
    missing = service.get(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/nope")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    assert "ETag" not in service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{WS}",
                                     {"labels": {"changed": "yes"}, "spec": {}}).headers


def test_weak_comparison() -> None:
    assert matches('W/"a"', '"a"') and matches('"b", "a"', '"a"') and matches("*", '"a"')
    assert not matches('"b"', '"a"')


def test_a_client_without_conditions_sees_no_difference(service: Service) -> None:
    plain = httpx.get(f"{service.url}/.wellknown/secapi", timeout=10)
    assert plain.status_code == 200 and plain.json()
