"""`make bench` (part 4): Hetzner calls per network operation, by endpoint, and time to done, with Hetzner
actions that take real time; and the cost of keeping a firewall current as the members of a peer group
change (each instance joining or leaving group ``app`` re-sets the rules of group ``db``, which names
``app`` as its peer).

Each operation runs alone (nothing else in flight). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.harness import RunningService, machine, record, running_service
from bench.hetzner_calls import _routes, _sim, _wait


def _ref(path: str) -> dict[str, str]:
    return {"resource": path}


def _state(done: str = "active", **status: Any) -> Callable[[httpx.Response], bool]:
    return lambda r: r.status_code == 200 and r.json()["status"]["state"] == done and all(
        r.json()["status"].get(k) == v for k, v in status.items())


def _gone(response: httpx.Response) -> bool:
    return response.status_code == 404


def measure(svc: RunningService, client: httpx.Client, action_seconds: float, members: int) -> list[dict[str, Any]]:
    httpx.put(_sim(svc, "actions/timing"), json={"seconds": action_seconds}).raise_for_status()
    t = svc.tenant
    ws = f"net-{action_seconds}".replace(".", "-")
    base = f"/providers/seca.network/v1/tenants/{t}/workspaces/{ws}"
    compute = f"/providers/seca.compute/v1/tenants/{t}/workspaces/{ws}/instances"
    storage = f"/providers/seca.storage/v1/tenants/{t}/workspaces/{ws}/block-storages"
    client.put(f"/providers/seca.workspace/v1/tenants/{t}/workspaces/{ws}", json={"spec": {}}).raise_for_status()
    _wait(client, f"/providers/seca.workspace/v1/tenants/{t}/workspaces/{ws}", _state())
    for index in range(members + 1):
        client.put(f"{storage}/boot-{index}", json={"spec": {"sizeGB": 20, "skuRef": _ref(
            f"seca.storage/v1/tenants/{t}/skus/local-nvme")}}).raise_for_status()
    subnet = _ref(f"seca.network/v1/tenants/{t}/workspaces/{ws}/networks/net/subnets/dmz")
    table = _ref(f"seca.network/v1/tenants/{t}/workspaces/{ws}/networks/net/route-tables/rt")

    def nic(pip: str, aliases: list[str]) -> dict[str, Any]:
        return {"spec": {"addresses": ["10.9.1.10", *aliases], "subnetRef": subnet,
                         "publicIpRefs": [_ref(f"public-ips/{pip}")],
                         "securityGroupRefs": [_ref("security-groups/web")]}}

    def instance(index: int, *, nics: bool = False, group: str | None = None) -> dict[str, Any]:
        spec: dict[str, Any] = {"skuRef": _ref("skus/cx23"), "zone": "fsn1",
                                "bootVolume": {"deviceRef": _ref(f"block-storages/boot-{index}")}}
        if nics:
            spec["primaryNicRef"] = _ref("nics/eth0")
        if group:
            spec["securityGroupRef"] = _ref(f"security-groups/{group}")
        return {"spec": spec}

    rule = {"direction": "ingress", "protocol": "tcp", "ports": {"from": 443, "to": 443}}
    peer_rule = {"direction": "ingress", "protocol": "tcp", "ports": {"from": 5432, "to": 5432},
                 "sourceRef": [_ref(f"seca.network/v1/tenants/{t}/workspaces/{ws}/security-groups/app")]}
    steps: list[tuple[str, str, Any, Callable[[httpx.Response], bool]]] = [
        ("network create", f"{base}/networks/net",
         {"spec": {"cidr": {"ipv4": "10.9.0.0/16"}, "skuRef": _ref(f"seca.network/v1/tenants/{t}/skus/"
                                                                     "hetzner-private-network")}}, _state()),
        ("internet gateway create", f"{base}/internet-gateways/igw", {"spec": {}}, _state()),
        ("route table create (to the gateway)", f"{base}/networks/net/route-tables/rt",
         {"spec": {"routes": [{"destinationCidrBlock": "0.0.0.0/0", "targetRef": _ref("internet-gateways/igw")}]}},
         _state()),
        ("subnet create", f"{base}/networks/net/subnets/dmz",
         {"spec": {"cidr": {"ipv4": "10.9.1.0/24"}, "zone": "fsn1", "routeTableRef": table}}, _state()),
        ("security group create (1 rule)", f"{base}/security-groups/web", {"spec": {"rules": [rule]}}, _state()),
        ("public IP create", f"{base}/public-ips/ip-1", {"spec": {"version": "IPv4"}}, _state()),
        ("public IP create (second)", f"{base}/public-ips/ip-2", {"spec": {"version": "IPv4"}}, _state()),
        ("NIC create (no instance)", f"{base}/nics/eth0", nic("ip-1", []), _state()),
        ("instance create with the NIC", f"{compute}/vm-0", instance(0, nics=True), _state(powerState="off")),
        ("NIC: alias IP added", f"{base}/nics/eth0", nic("ip-1", ["10.9.1.11"]),
         lambda r: r.json()["status"].get("addresses") == ["10.9.1.10", "10.9.1.11"]),
        ("NIC: public IP moved (server off)", f"{base}/nics/eth0", nic("ip-2", ["10.9.1.11"]),
         lambda r: r.json()["status"].get("publicIpRefs") == [_ref("public-ips/ip-2")]),
        ("security group: rule added", f"{base}/security-groups/web",
         {"spec": {"rules": [rule, {**rule, "ports": {"from": 22, "to": 22}}]}},
         lambda r: "reason" not in r.json()["status"]["conditions"][0]),
        ("security group create (peer group app)", f"{base}/security-groups/app", {"spec": {"rules": [rule]}},
         _state()),
        ("security group create (db, app as peer)", f"{base}/security-groups/db", {"spec": {"rules": [peer_rule]}},
         _state()),
    ]
    rows: list[dict[str, Any]] = []

    def step(name: str, send: Callable[[], httpx.Response], path: str, done: Callable[[httpx.Response], bool],
             settle: str | None = None) -> None:
        time.sleep(0.3)  # let the previous operation's last poll land before counting
        before = _routes(svc)
        send().raise_for_status()
        seconds = _wait(client, path, done)
        if settle:  # the peer group's own operation, woken by the member change
            _wait(client, settle, lambda r: "reason" not in r.json()["status"]["conditions"][0]
                  and r.json()["status"]["state"] == "active")
            time.sleep(max(0.5, action_seconds * 1.5))
        spent = _routes(svc) - before
        rows.append({"operation": name, "action_seconds": action_seconds, "calls": sum(spent.values()),
                     "seconds_to_done": round(seconds, 2), "by_endpoint": dict(sorted(spent.items()))})

    for name, path, body, done in steps:
        step(name, lambda path=path, body=body: client.put(path, json=body), path, done)  # type: ignore[misc]
    for index in range(1, members + 1):  # the cost of keeping db's firewall current as app gains members
        path = f"{compute}/vm-{index}"
        step(f"member {index} joins app (instance create, db's rules re-set)",
             lambda path=path, index=index: client.put(path, json=instance(index, group="app")),  # type: ignore[misc]
             path, _state(powerState="off"), settle=f"{base}/security-groups/db")
    step("member leaves app (instance delete, db's rules re-set)", lambda: client.delete(f"{compute}/vm-1"),
         f"{compute}/vm-1", _gone, settle=f"{base}/security-groups/db")
    step("instance delete (NIC carried)", lambda: client.delete(f"{compute}/vm-0"), f"{compute}/vm-0", _gone)
    step("NIC delete", lambda: client.delete(f"{base}/nics/eth0"), f"{base}/nics/eth0", _gone)
    step("public IP delete", lambda: client.delete(f"{base}/public-ips/ip-1"), f"{base}/public-ips/ip-1", _gone)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--action-seconds", type=float, nargs="*", default=[0.5, 2.0])
    parser.add_argument("--members", type=int, default=3)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for seconds in args.action_seconds:
        with running_service(workers=1, extra_env={"SECA_RESYNC_SECONDS": "3600"}) as svc, \
                httpx.Client(base_url=svc.url, headers={"Authorization": f"Bearer {svc.token}"}, timeout=60) as client:
            rows += measure(svc, client, seconds, args.members)
    report = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "rows": rows}
    record("network-calls", report, markdown(report))


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Hetzner calls per network operation ({report['date']})", "",
             "Each operation alone, through the service (one gunicorn worker, in-process engine worker) against the "
             "simulator with every Hetzner action taking the time shown. A member joining or leaving a peer group "
             "counts its own instance's calls and the peer group's firewall update it causes.", "",
             "| operation | action time | calls | seconds to done | by endpoint |", "|---|---|---|---|---|"]
    for row in report["rows"]:
        endpoints = ", ".join(f"{k} ×{v}" for k, v in row["by_endpoint"].items())
        lines.append(f"| {row['operation']} | {row['action_seconds']} s | {row['calls']} | "
                     f"{row['seconds_to_done']} | {endpoints} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
