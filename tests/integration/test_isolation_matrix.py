"""The isolation suite (issue 11): two tenants with two workspaces each, subjects with different role
assignments, and every served operation of every API tried by every subject in every place. The expected
allow/deny of each try comes from this file's own statement of the policy below (not from the service's
decision code); the test asserts the exact matrix and that no answer, list or error names a resource of a
tenant or workspace the subject may not see.

The policy under test, in words:
* the well-known document: anyone, without a token (it says where the APIs are);
* without a token: 401 (``WWW-Authenticate``) on every other operation;
* the region API: any subject with a valid token;
* another tenant's path: 403, whatever the token may do in its own tenant;
* a tenant administrator: everything in its tenant;
* ``alice`` (editor of workspace ``iso-a1``: every verb of the compute, storage and network APIs, scope
  ``workspaces: [iso-a1]``): those APIs inside ``iso-a1`` only (not tenant-wide operations such as SKUs or
  images, not the workspace or authorization APIs);
* ``victor`` (viewer of ``iso-a2``: get and list of the same APIs, scope ``iso-a2``): reads inside ``iso-a2``;
* ``nobody`` (a valid token, no assignment): nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from secapi_hetzner.app.capabilities import build_matrix
from secapi_hetzner.app.services import current
from tests.conftest import OWN_SPEC, TENANT, Service, admin_token

OTHER = "globex"
WORKSPACES = {TENANT: ("iso-a1", "iso-a2"), OTHER: ("iso-g1", "iso-g2")}
ALLOWED, DENIED, UNAUTHENTICATED = "allowed", "denied", "unauthenticated"
WORKSPACE_APIS = ("seca.compute/v1", "seca.storage/v1", "seca.network/v1")
ANY_TOKEN_APIS = ("seca.region/v1",)
PUBLIC_APIS = ("seca.wellknown/v1",)
LOCAL = {"resource": "skus/local-nvme"}
#: resources only some subjects may see: each name must never appear in an answer to the others
SECRETS = {(TENANT, "iso-a1"): "secret-of-a1", (TENANT, "iso-a2"): "secret-of-a2",
           (OTHER, "iso-g1"): "secret-of-g1", (OTHER, "iso-g2"): "secret-of-g2"}

#: a schema-valid body per PUT collection: access is decided after the schema, so a denied subject must
#: get its 403 for a body the schema accepts (the service then still refuses most of them: 412, 404)
BODIES: dict[str, dict[str, Any]] = {
    "roles": {"spec": {"permissions": [{"provider": "seca.compute/v1", "resources": ["instances/x"],
                                        "verb": ["get"]}]}},
    "role-assignments": {"spec": {"roles": ["ghost-role"], "subs": ["ghost"], "scopes": [{}]}},
    "workspaces": {"spec": {}},
    "instances": {"spec": {"skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
                           "bootVolume": {"deviceRef": {"resource": "block-storages/missing"}}}},
    "images": {"spec": {"blockStorageRef": {"resource": "block-storages/missing"}, "cpuArchitecture": "amd64"}},
    "block-storages": {"spec": {"sizeGB": 20, "skuRef": LOCAL}},
    "security-groups": {"spec": {"rules": [{"direction": "ingress"}]}},
    "security-group-rules": {"spec": {"direction": "ingress"}},
    "nics": {"spec": {"addresses": ["10.9.1.5"], "subnetRef": {"resource": "networks/missing/subnets/missing"}}},
    "public-ips": {"spec": {"version": "IPv4"}},
    "networks": {"spec": {"cidr": {"ipv4": "10.9.0.0/16"}, "skuRef": {"resource": "skus/hetzner-private-network"}}},
    "internet-gateways": {"spec": {}},
    "subnets": {"spec": {"cidr": {"ipv4": "10.9.1.0/24"}, "zone": "fsn1",
                         "routeTableRef": {"resource": "networks/probe-net/route-tables/missing"}}},
    "route-tables": {"spec": {"routes": [{"destinationCidrBlock": "0.0.0.0/0",
                                          "targetRef": {"resource": "internet-gateways/missing"}}]}},
}


@dataclass(frozen=True)
class Subject:
    name: str
    tenant: str
    token: str


@dataclass(frozen=True)
class Try:
    provider: str
    operation: str
    method: str
    template: str
    tenant: str
    workspace: str

    @property
    def url(self) -> str:
        values = {"tenant": self.tenant, "workspace": self.workspace, "name": "probe", "network": "probe-net"}
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], self.template)
        return path if self.provider in PUBLIC_APIS else f"/providers/{self.provider.split('/')[0]}{path}"

    @property
    def collection(self) -> str:
        parts = [p for p in self.template.split("/") if p and not p.startswith("{")]
        return parts[-1] if self.method != "POST" else parts[-2]


def expected(subject: Subject | None, attempt: Try) -> str:
    """The policy of the module docstring, stated independently of the service's code."""
    if attempt.provider in PUBLIC_APIS:
        return ALLOWED
    if subject is None:
        return UNAUTHENTICATED
    if attempt.provider in ANY_TOKEN_APIS:
        return ALLOWED
    if attempt.tenant != subject.tenant:
        return DENIED
    if subject.name.endswith("admin"):
        return ALLOWED
    inside = attempt.provider in WORKSPACE_APIS and "{workspace}" in attempt.template
    if subject.name == "alice":
        return ALLOWED if inside and attempt.workspace == "iso-a1" else DENIED
    if subject.name == "victor":
        return ALLOWED if inside and attempt.workspace == "iso-a2" and attempt.method == "GET" else DENIED
    return DENIED


def may_see(subject: Subject | None, place: tuple[str, str]) -> bool:
    if subject is None or subject.tenant != place[0]:
        return False
    if subject.name.endswith("admin"):
        return True
    return (subject.name, place[1]) in (("alice", "iso-a1"), ("victor", "iso-a2"))


def served_tries() -> list[Try]:
    tries = []
    for row in build_matrix(OWN_SPEC):
        if row.status not in ("supported", "partial"):
            continue
        for tenant, workspaces in WORKSPACES.items():
            for workspace in (workspaces if "{workspace}" in row.path else ("",)):
                if "{tenant}" not in row.path and tenant != TENANT:
                    continue  # the global region and well-known operations: tried once
                tries.append(Try(row.api, row.operation_id, row.method, row.path, tenant, workspace))
    return tries


def send(client: httpx.Client, subject: Subject | None, attempt: Try) -> httpx.Response:
    headers = {"Authorization": f"Bearer {subject.token}"} if subject else {}
    body = BODIES.get(attempt.collection) if attempt.method == "PUT" else None
    return client.request(attempt.method, attempt.url, json=body, headers=headers)


@pytest.fixture(scope="module")
def subjects(service: Service) -> dict[str, Subject]:
    """The two tenants' estates (a secret block storage per workspace), the roles and assignments of the
    policy, and a token per subject."""
    other_admin = admin_token(label="iso-globex", tenant=OTHER)
    admins = {TENANT: service.token, OTHER: other_admin}
    for (tenant, workspace), secret in SECRETS.items():
        headers = {"Authorization": f"Bearer {admins[tenant]}"}
        base = f"{service.url}/providers/seca.workspace/v1/tenants/{tenant}/workspaces/{workspace}"
        assert httpx.put(base, json={"spec": {}}, headers=headers).status_code in (200, 201)
        storage = f"{service.url}/providers/seca.storage/v1/tenants/{tenant}/workspaces/{workspace}"
        disk = f"{storage}/block-storages/{secret}"
        assert httpx.put(disk, json={"spec": {"sizeGB": 20, "skuRef": LOCAL}}, headers=headers).status_code == 201
    authz = f"/providers/seca.authorization/v1/tenants/{TENANT}"
    for role, verbs in (("iso-editor", ["get", "list", "put", "delete", "post"]), ("iso-viewer", ["get", "list"])):
        permissions = [{"provider": p, "resources": ["*"], "verb": verbs} for p in WORKSPACE_APIS]
        assert service.put(f"{authz}/roles/{role}", {"spec": {"permissions": permissions}}).status_code == 201
    for name, role, sub, workspace in (("iso-editors", "iso-editor", "alice", "iso-a1"),
                                       ("iso-viewers", "iso-viewer", "victor", "iso-a2")):
        body = {"spec": {"roles": [role], "subs": [sub], "scopes": [{"workspaces": [workspace]}]}}
        assert service.put(f"{authz}/role-assignments/{name}", body).status_code == 201
    tokens = current().tokens
    return {"acme-admin": Subject("acme-admin", TENANT, service.token),
            "globex-admin": Subject("globex-admin", OTHER, other_admin),
            **{name: Subject(name, TENANT, tokens.issue(TENANT, label=f"iso-{name}", subject=name))
               for name in ("alice", "victor", "nobody")}}


@pytest.mark.parametrize("who", ["anonymous", "nobody", "victor", "alice", "globex-admin", "acme-admin"])
def test_every_operation_in_every_place_answers_as_the_policy_says(service: Service, subjects: dict[str, Subject],
                                                                  who: str) -> None:
    subject = subjects.get(who)
    wrong: list[str] = []
    leaks: list[str] = []
    with httpx.Client(base_url=service.url, timeout=20) as client:  # one connection: the answers are the point
        answers = [(attempt, send(client, subject, attempt)) for attempt in served_tries()]
    for attempt, response in answers:
        want = expected(subject, attempt)
        code = response.status_code
        got = UNAUTHENTICATED if code == 401 else DENIED if code == 403 else ALLOWED
        if got != want:
            wrong.append(f"{attempt.method} {attempt.url} ({attempt.operation}): {code}, expected {want}")
        if code == 401 and "WWW-Authenticate" not in response.headers:
            wrong.append(f"{attempt.method} {attempt.url}: 401 without WWW-Authenticate")
        if code == 403 and not response.json()["type"].endswith("/forbidden"):
            wrong.append(f"{attempt.method} {attempt.url}: 403 that is not a SECA forbidden error")
        if subject is not None and subject.name.endswith("admin") and attempt.method == "PUT" and \
                attempt.tenant == subject.tenant and code in (400, 412) and \
                response.json().get("meta", {}).get("cause") == "schema":
            wrong.append(f"{attempt.method} {attempt.url}: the probe body fails the schema ({response.text[:200]})")
        for place, secret in SECRETS.items():
            if secret in response.text and not may_see(subject, place):
                leaks.append(f"{attempt.method} {attempt.url} ({code}) names {secret}")
    assert not wrong, f"{len(wrong)} answers differ from the policy:\n" + "\n".join(wrong[:40])
    assert not leaks, "\n".join(leaks[:40])


def test_lists_show_what_the_subject_may_see_and_nothing_else(service: Service, subjects: dict[str, Subject]) -> None:
    def disks(subject: str, tenant: str, workspace: str) -> httpx.Response:
        url = f"{service.url}/providers/seca.storage/v1/tenants/{tenant}/workspaces/{workspace}/block-storages"
        return httpx.get(url, headers={"Authorization": f"Bearer {subjects[subject].token}"}, timeout=20)

    assert SECRETS[(TENANT, "iso-a2")] in disks("victor", TENANT, "iso-a2").text
    assert disks("victor", TENANT, "iso-a1").status_code == 403
    assert SECRETS[(TENANT, "iso-a1")] in disks("alice", TENANT, "iso-a1").text
    assert disks("alice", OTHER, "iso-g1").status_code == 403
    listed = httpx.get(f"{service.url}/providers/seca.workspace/v1/tenants/{TENANT}/workspaces",
                       headers={"Authorization": f"Bearer {subjects['acme-admin'].token}"}, timeout=20).json()
    names = {item["metadata"]["name"] for item in listed["items"]}
    assert {"iso-a1", "iso-a2"} <= names and not names & {"iso-g1", "iso-g2"}  # another tenant's never listed


def test_the_policy_statement_covers_every_served_api() -> None:
    """A served API this matrix would treat by default (deny) without saying so would hide a gap."""
    providers = {row.api for row in build_matrix(Path(OWN_SPEC)) if row.status in ("supported", "partial")}
    assert providers <= {*WORKSPACE_APIS, *ANY_TOKEN_APIS, *PUBLIC_APIS, "seca.workspace/v1", "seca.authorization/v1"}
