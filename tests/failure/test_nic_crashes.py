"""Workers dying while an instance's NIC is put on its server: killed while following the attach action
(another worker follows the same action: one attachment), and stuck in a primary IP assignment Hetzner
carried out (another worker sees the IP on the server and does not assign it again)."""

from __future__ import annotations

import threading
from typing import Any

from tests.conftest import (
    ACTION_SECONDS,
    ACTION_SECONDS_BY_COMMAND,
    GUEST_SHUTDOWN_SECONDS,
    TENANT,
    Service,
    hetzner_pace,
)
from tests.failure.conftest import (
    COMPUTE,
    STORAGE,
    WS,
    Hetzner,
    Workers,
    accepted,
    claim_as_dead_worker,
    internet_facing_network,
    make_stale,
    operations,
    read,
    storage_body,
    wait_until,
)
from tests.support.refs import ref

HANG = 1.0
HOLD = 3600.0  # an action that runs until the test completes it
NET = f"/providers/seca.network/v1/tenants/{TENANT}/workspaces/{WS}"


def build(service: Service, workers: Workers, tag: str, pip: bool) -> None:
    """A network whose subnet routes to an internet gateway, a NIC in it (with a public IP), a boot disk."""
    subnet = f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/net{tag}/subnets/sub{tag}"
    bodies = [*internet_facing_network(tag, 50), (f"{STORAGE}/boot{tag}", storage_body(20)),
              (f"{NET}/nics/nic{tag}", {"spec": {"addresses": ["10.50.1.7"], "subnetRef": ref(subnet)}})]
    if pip:
        bodies.append((f"{NET}/public-ips/ip{tag}", {"spec": {"version": "IPv4"}}))
    for path, body in bodies:
        accepted(service.put(path, body), 201)
    workers.new().drain(timeout=20)


def instance_body(tag: str) -> dict[str, Any]:
    return {"spec": {"skuRef": ref(f"seca.compute/v1/tenants/{TENANT}/skus/cx23"), "zone": "fsn1",
                     "bootVolume": {"deviceRef": ref(f"block-storages/boot{tag}")},
                     "primaryNicRef": ref(f"nics/nic{tag}")}}


def only_server(hetzner: Hetzner, name: str) -> dict[str, Any]:
    [server] = hetzner.owned("servers", "instance", name)
    return server


def test_a_worker_killed_while_following_the_attach_is_replaced_by_one_that_follows_the_same_action(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    fresh = workers.new()
    build(service, workers, "att", pip=False)
    # the attach runs until the test finishes it; everything else at the suites' pace
    hetzner.state.set_action_timing(ACTION_SECONDS, commands={**ACTION_SECONDS_BY_COMMAND, "attach_to_network": HOLD},
                                    guest_shutdown=GUEST_SHUTDOWN_SECONDS)
    accepted(service.put(f"{COMPUTE}/vmatt", instance_body("att")), 201)
    wait_until(lambda: (fresh.run_once(), hetzner.actions("attach_to_network", "running"))[1], what="the attach")
    [action] = hetzner.actions("attach_to_network", "running")
    [op] = operations("instance", "vmatt")
    assert op["action_id"] == action["id"]

    dead, _ = claim_as_dead_worker("instance", "vmatt")  # the worker following it dies
    make_stale(dead)
    fresh.queue.requeue_stalled(fresh.stale_after)
    for _ in range(3):
        fresh.run_once()
    assert operations("instance", "vmatt")[0]["action_id"] == action["id"]  # the same action, followed
    assert len(hetzner.actions("attach_to_network")) == 1
    hetzner_pace(hetzner.state)
    hetzner.state.complete_action(action["id"])
    fresh.drain(timeout=20)
    assert read(service, f"{COMPUTE}/vmatt")["status"]["state"] == "active"
    assert [a["ip"] for a in only_server(hetzner, "vmatt")["private_net"]] == ["10.50.1.7"]
    accepted(service.delete(f"{COMPUTE}/vmatt"), 202)
    fresh.drain(timeout=20)
    assert hetzner.owned("servers", "instance", "vmatt") == []


def test_a_worker_stuck_in_an_assignment_hetzner_made_is_replaced_by_one_that_does_not_repeat_it(
        service: Service, hetzner: Hetzner, workers: Workers) -> None:
    stuck, fresh = workers.new(hetzner_timeout=4 * HANG), workers.new()
    build(service, workers, "asg", pip=True)
    subnet = f"seca.network/v1/tenants/{TENANT}/workspaces/{WS}/networks/netasg/subnets/subasg"
    accepted(service.put(f"{COMPUTE}/vmasg", instance_body("asg")), 201)
    fresh.drain(timeout=20)
    server = only_server(hetzner, "vmasg")
    # the NIC now binds the public IP: Hetzner assigns it at once and answers late
    hetzner.fault("POST", r"^/primary_ips/\d+/actions/assign$", after_effect=True, latency=HANG)
    accepted(service.put(f"{NET}/nics/nicasg", {"spec": {"addresses": ["10.50.1.7"], "subnetRef": ref(subnet),
                                                         "publicIpRefs": [ref("public-ips/ipasg")]}}), 200)
    fresh.drain(timeout=20)  # the NIC's own operation wakes the instance
    thread = threading.Thread(target=stuck.drain, kwargs={"timeout": 20}, name="stuck-worker", daemon=True)
    thread.start()
    [ip] = hetzner.owned("primary_ips", "public-ip", "ipasg")
    wait_until(lambda: hetzner.objects("primary_ips") and any(
        p["id"] == ip["id"] and p["assignee_id"] == server["id"] for p in hetzner.objects("primary_ips")),
        what="Hetzner to assign the IP")
    make_stale(stuck.id)
    fresh.drain(timeout=20)
    thread.join(timeout=8 * HANG)
    assert not thread.is_alive()
    hetzner.quiet()
    assert read(service, f"{COMPUTE}/vmasg")["status"]["state"] == "active"
    assert only_server(hetzner, "vmasg")["public_net"]["ipv4"]["id"] == ip["id"]
    assert len(hetzner.actions("assign_primary_ip")) == 1  # never sent twice
    nic = read(service, f"{NET}/nics/nicasg")
    assert nic["status"]["publicIpRefs"] == [ref("public-ips/ipasg")]
    accepted(service.delete(f"{COMPUTE}/vmasg"), 202)
    fresh.drain(timeout=20)
    assert hetzner.owned("servers", "instance", "vmasg") == []
