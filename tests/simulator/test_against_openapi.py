"""Contract: every simulator route exists in Hetzner's OpenAPI document, and real answers validate.

One scenario drives every route over HTTP; each answer is validated against the document's schema
for that operation and status (``4XX``/``5XX`` for errors), with the 2026 overlay of
:mod:`openapi_overlay` applied. Each route must have at least one validated answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from secapi_hetzner.simulator import RunningSimulator, serve_in_thread
from secapi_hetzner.simulator.pipeline import ROUTER
from tests.conftest import NO_SHARED
from tests.simulator.helpers import public_key
from tests.simulator.openapi_overlay import SPEC_PATH, load_document

if not SPEC_PATH.is_file():
    pytest.skip(NO_SHARED, allow_module_level=True)
DOCUMENT = load_document()
REGISTRY = Registry().with_resource(
    "urn:hcloud", Resource.from_contents(DOCUMENT, default_specification=DRAFT4)
)
ROUTES = [(route.method, route.template) for route in ROUTER.routes]
Seen = dict[tuple[str, str], list[tuple[int, list[str]]]]


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _problems(method: str, template: str, response: httpx.Response) -> list[str]:
    operation = DOCUMENT["paths"].get(template, {}).get(method.lower())
    if operation is None:
        return [f"{method} {template} is not in the document"]
    status = str(response.status_code)
    documented = operation["responses"]
    key = next((k for k in (status, f"{status[0]}XX", "default") if k in documented), None)
    if key is None:
        return [f"status {status} is not documented for {method} {template}"]
    content = documented[key].get("content", {}).get("application/json")
    if content is None:
        return [] if not response.content else [f"status {status} must have no body"]
    ref = "urn:hcloud#/" + _pointer("paths", template, method.lower(), "responses", key, "content")
    validator = OAS30Validator(
        {"$ref": ref + "/application~1json/schema"}, registry=REGISTRY, format_checker=oas30_format_checker
    )
    errors = validator.iter_errors(response.json())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors]


class Recorder:
    """Calls the simulator and validates every answer against the document."""

    def __init__(self, sim: RunningSimulator, token: str) -> None:
        self.http = httpx.Client(base_url=sim.url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        self.seen: Seen = defaultdict(list)

    def __call__(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        route, _, _ = ROUTER.match(method, path.split("?")[0])
        assert route is not None, f"{method} {path} matched no route"
        self.seen[(method, route.template)].append(
            (response.status_code, _problems(method, route.template, response))
        )
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def actions_of(self, plural: str, resource_id: int, action_id: int) -> None:
        self("GET", f"/{plural}/actions", 200)
        self("GET", f"/{plural}/actions/{action_id}", 200)
        self("GET", f"/{plural}/{resource_id}/actions", 200)
        self("GET", f"/{plural}/{resource_id}/actions/{action_id}", 200)


def _catalog(call: Recorder) -> None:
    call("GET", "/locations", 200)
    call("GET", "/locations/1", 200)
    call("GET", "/server_types", 200, params={"per_page": 50})
    call("GET", "/server_types/114", 200)
    call("GET", "/datacenters", 410)
    call("GET", "/datacenters/1", 410)
    call("GET", "/images", 200, params={"include_deprecated": "true", "per_page": 50})
    call("GET", "/images/15512617", 200)
    call("GET", "/actions", 422)
    call("GET", "/servers/4242", 404)


def _servers(call: Recorder) -> None:
    key = call(
        "POST", "/ssh_keys", 201, json={"name": "k", "public_key": public_key("k"), "labels": {"a": "b"}}
    )
    call("GET", "/ssh_keys", 200)
    call("GET", f"/ssh_keys/{key['ssh_key']['id']}", 200)
    call("PUT", f"/ssh_keys/{key['ssh_key']['id']}", 200, json={"name": "k2"})
    group = call("POST", "/placement_groups", 201, json={"name": "g", "type": "spread"})["placement_group"]
    call("GET", "/placement_groups", 200)
    call("PUT", f"/placement_groups/{group['id']}", 200, json={"labels": {"x": "y"}})
    body = {
        "name": "web",
        "server_type": "cx23",
        "image": "ubuntu-24.04",
        "location": "fsn1",
        "ssh_keys": ["k2"],
    }
    created = call("POST", "/servers", 201, json={**body, "placement_group": group["id"]})
    server = created["server"]["id"]
    call("GET", f"/actions?id={created['action']['id']}", 200)
    call("GET", f"/actions/{created['action']['id']}", 200)
    call("GET", f"/placement_groups/{group['id']}", 200)
    call("GET", "/servers", 200, params={"status": "running"})
    call("GET", f"/servers/{server}", 200)
    call("PUT", f"/servers/{server}", 200, json={"labels": {"role": "web"}})
    for name in ("reboot", "reset", "shutdown", "poweron", "poweroff"):
        call("POST", f"/servers/{server}/actions/{name}", 201)
    call("POST", f"/servers/{server}/actions/poweron", 201)
    call(
        "POST",
        f"/servers/{server}/actions/change_type",
        422,
        json={"server_type": "cx33", "upgrade_disk": True},
    )
    call("POST", f"/servers/{server}/actions/poweroff", 201)
    call(
        "POST",
        f"/servers/{server}/actions/change_type",
        201,
        json={"server_type": "cx33", "upgrade_disk": False},
    )
    call("POST", f"/servers/{server}/actions/remove_from_placement_group", 201)
    call(
        "POST",
        f"/servers/{server}/actions/add_to_placement_group",
        201,
        json={"placement_group": group["id"]},
    )
    call("POST", f"/servers/{server}/actions/change_protection", 201, json={"delete": True, "rebuild": True})
    call("POST", f"/servers/{server}/actions/rebuild", 423, json={"image": "debian-12"})
    call(
        "POST", f"/servers/{server}/actions/change_protection", 201, json={"delete": False, "rebuild": False}
    )
    call("POST", f"/servers/{server}/actions/rebuild", 201, json={"image": "debian-12"})
    for name in ("enable_rescue", "disable_rescue", "enable_backup", "disable_backup", "reset_password"):
        call("POST", f"/servers/{server}/actions/{name}", 201)
    call("POST", f"/servers/{server}/actions/request_console", 201)
    ip = call("GET", f"/servers/{server}", 200)["server"]["public_net"]["ipv4"]["ip"]
    call(
        "POST",
        f"/servers/{server}/actions/change_dns_ptr",
        201,
        json={"ip": ip, "dns_ptr": "web.example.com"},
    )
    image = call("POST", f"/servers/{server}/actions/create_image", 201, json={"description": "s"})
    image_id = image["image"]["id"]
    call("GET", f"/images/{image_id}", 200)
    call("PUT", f"/images/{image_id}", 200, json={"description": "t", "labels": {}})
    protect = call("POST", f"/images/{image_id}/actions/change_protection", 201, json={"delete": True})
    call.actions_of("images", image_id, protect["action"]["id"])
    call("DELETE", f"/images/{image_id}", 423)
    call("POST", f"/images/{image_id}/actions/change_protection", 201, json={"delete": False})
    call("DELETE", f"/images/{image_id}", 204)
    call.actions_of("servers", server, created["action"]["id"])
    call("DELETE", f"/servers/{server}", 200)
    call("DELETE", f"/placement_groups/{group['id']}", 204)
    call("DELETE", f"/ssh_keys/{key['ssh_key']['id']}", 204)


def _volumes(call: Recorder) -> None:
    server = call("POST", "/servers", 201, json={"name": "db", "server_type": "cpx11", "image": "debian-13"})
    server_id = server["server"]["id"]
    volume = call(
        "POST", "/volumes", 201, json={"name": "v", "size": 10, "location": "fsn1", "format": "xfs"}
    )
    volume_id = volume["volume"]["id"]
    call("GET", "/volumes", 200)
    call("GET", f"/volumes/{volume_id}", 200)
    call("PUT", f"/volumes/{volume_id}", 200, json={"name": "v2"})
    call("POST", f"/volumes/{volume_id}/actions/attach", 201, json={"server": server_id})
    call("DELETE", f"/volumes/{volume_id}", 422)
    call("POST", f"/volumes/{volume_id}/actions/detach", 201)
    call("POST", f"/volumes/{volume_id}/actions/resize", 201, json={"size": 20})
    call("POST", f"/volumes/{volume_id}/actions/resize", 422, json={"size": 15})
    protect = call("POST", f"/volumes/{volume_id}/actions/change_protection", 201, json={"delete": False})
    call.actions_of("volumes", volume_id, protect["action"]["id"])
    call("DELETE", f"/volumes/{volume_id}", 204)
    attached = call("POST", "/volumes", 201, json={"name": "v3", "size": 10, "server": server_id})
    assert attached["next_actions"][0]["command"] == "attach_volume"


def _networks(call: Recorder) -> None:
    subnets = [{"type": "cloud", "ip_range": "10.0.1.0/24", "network_zone": "eu-central"}]
    network = call(
        "POST", "/networks", 201, json={"name": "n", "ip_range": "10.0.0.0/16", "subnets": subnets}
    )
    network_id = network["network"]["id"]
    call("GET", "/networks", 200)
    call("PUT", f"/networks/{network_id}", 200, json={"name": "n2"})
    body = {"type": "cloud", "ip_range": "10.0.2.0/24", "network_zone": "eu-central"}
    call("POST", f"/networks/{network_id}/actions/add_subnet", 201, json=body)
    call("POST", f"/networks/{network_id}/actions/delete_subnet", 201, json={"ip_range": "10.0.2.0/24"})
    route = {"destination": "10.100.0.0/24", "gateway": "10.0.1.5"}
    call("POST", f"/networks/{network_id}/actions/add_route", 201, json=route)
    call("POST", f"/networks/{network_id}/actions/delete_route", 201, json=route)
    call("POST", f"/networks/{network_id}/actions/change_ip_range", 201, json={"ip_range": "10.0.0.0/15"})
    server = call("POST", "/servers", 201, json={"name": "app", "server_type": "cx23", "image": "alma-9"})
    server_id = server["server"]["id"]
    call("POST", f"/servers/{server_id}/actions/attach_to_network", 201, json={"network": network_id})
    call("GET", f"/networks/{network_id}", 200)
    body = {"network": network_id, "alias_ips": ["10.0.1.99"]}
    call("POST", f"/servers/{server_id}/actions/change_alias_ips", 201, json=body)
    call("GET", f"/servers/{server_id}", 200)
    call("POST", f"/servers/{server_id}/actions/detach_from_network", 201, json={"network": network_id})
    protect = call("POST", f"/networks/{network_id}/actions/change_protection", 201, json={"delete": False})
    call.actions_of("networks", network_id, protect["action"]["id"])
    call("DELETE", f"/networks/{network_id}", 204)


def _firewalls(call: Recorder) -> None:
    server = call(
        "POST", "/servers", 201, json={"name": "fw-target", "server_type": "cx23", "image": "rocky-9"}
    )
    server_id = server["server"]["id"]
    rules = [{"direction": "in", "protocol": "tcp", "port": "22", "source_ips": ["0.0.0.0/0"]}]
    apply_to = [{"type": "label_selector", "label_selector": {"selector": "env=prod"}}]
    created = call("POST", "/firewalls", 201, json={"name": "fw", "rules": rules, "apply_to": apply_to})
    firewall_id = created["firewall"]["id"]
    call("GET", "/firewalls", 200)
    call("PUT", f"/firewalls/{firewall_id}", 200, json={"labels": {"a": "b"}})
    target = [{"type": "server", "server": {"id": server_id}}]
    applied = call(
        "POST", f"/firewalls/{firewall_id}/actions/apply_to_resources", 201, json={"apply_to": target}
    )
    call("GET", f"/firewalls/{firewall_id}", 200)
    call("GET", f"/servers/{server_id}", 200)
    call("POST", f"/firewalls/{firewall_id}/actions/set_rules", 201, json={"rules": []})
    remove = target + apply_to
    call("POST", f"/firewalls/{firewall_id}/actions/remove_from_resources", 201, json={"remove_from": remove})
    call.actions_of("firewalls", firewall_id, applied["actions"][0]["id"])
    call("DELETE", f"/firewalls/{firewall_id}", 204)


def _ips(call: Recorder) -> None:
    body = {"name": "ip-host", "server_type": "cx23", "image": "debian-12", "start_after_create": False}
    server = call("POST", "/servers", 201, json={**body, "public_net": {"enable_ipv4": False}})
    server_id = server["server"]["id"]
    ip = call("POST", "/primary_ips", 201, json={"name": "p", "type": "ipv4", "location": "fsn1"})[
        "primary_ip"
    ]
    call("GET", "/primary_ips", 200)
    call("PUT", f"/primary_ips/{ip['id']}", 200, json={"auto_delete": False})
    call(
        "POST",
        f"/primary_ips/{ip['id']}/actions/assign",
        201,
        json={"assignee_id": server_id, "assignee_type": "server"},
    )
    call("GET", f"/primary_ips/{ip['id']}", 200)
    call("DELETE", f"/primary_ips/{ip['id']}", 422)
    body = {"ip": ip["ip"], "dns_ptr": "p.example.com"}
    call("POST", f"/primary_ips/{ip['id']}/actions/change_dns_ptr", 201, json=body)
    call("POST", f"/primary_ips/{ip['id']}/actions/unassign", 201)
    protect = call("POST", f"/primary_ips/{ip['id']}/actions/change_protection", 201, json={"delete": False})
    call.actions_of("primary_ips", ip["id"], protect["action"]["id"])
    call("DELETE", f"/primary_ips/{ip['id']}", 204)

    fip = call(
        "POST", "/floating_ips", 201, json={"type": "ipv4", "home_location": "fsn1", "description": "d"}
    )
    fip_id = fip["floating_ip"]["id"]
    call("GET", "/floating_ips", 200)
    call("PUT", f"/floating_ips/{fip_id}", 200, json={"description": "e"})
    call("POST", f"/floating_ips/{fip_id}/actions/assign", 201, json={"server": server_id})
    call("GET", f"/floating_ips/{fip_id}", 200)
    body = {"ip": fip["floating_ip"]["ip"], "dns_ptr": None}
    call("POST", f"/floating_ips/{fip_id}/actions/change_dns_ptr", 201, json=body)
    call("POST", f"/floating_ips/{fip_id}/actions/unassign", 201)
    protect = call("POST", f"/floating_ips/{fip_id}/actions/change_protection", 201, json={"delete": False})
    call.actions_of("floating_ips", fip_id, protect["action"]["id"])
    call("DELETE", f"/floating_ips/{fip_id}", 204)


@pytest.fixture(scope="module")
def seen() -> Iterator[Seen]:
    with serve_in_thread() as sim:
        call = Recorder(sim, "contract")
        for scenario in (_catalog, _servers, _volumes, _networks, _firewalls, _ips):
            scenario(call)
        yield call.seen
        call.http.close()


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {t}" for m, t in ROUTES])
def test_route_is_in_the_document(method: str, template: str) -> None:
    assert method.lower() in DOCUMENT["paths"].get(template, {})


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {t}" for m, t in ROUTES])
def test_answers_validate(seen: Seen, method: str, template: str) -> None:
    answers = seen.get((method, template))

    assert answers, f"{method} {template} was not exercised"
    failures = [(status, problems) for status, problems in answers if problems]
    assert not failures, failures[:3]


def _component_problems(name: str, instance: object) -> list[str]:
    validator = OAS30Validator({"$ref": f"urn:hcloud#/components/schemas/{name}"}, registry=REGISTRY)
    return [error.message for error in validator.iter_errors(instance)]


def test_overlay_requires_what_2026_added_and_rejects_what_it_removed() -> None:
    offer = {"id": 1, "name": "fsn1", "deprecation": None}

    assert _component_problems("server_type_location", offer)
    assert not _component_problems("server_type_location", {**offer, "available": True, "recommended": False})
    server = DOCUMENT["components"]["schemas"]["server"]
    assert "datacenter" not in server["required"] and "datacenter" not in server["properties"]
    assert any("datacenter" in problem for problem in _component_problems("server", {"datacenter": {}}))
    assert any("deprecated" in problem for problem in _component_problems("image", {"deprecated": None}))
