"""An instance's networking on Hetzner: the NICs it carries, their public IPs and the security groups.

* ``plan`` reads what the instance's NICs, public IPs and security groups ask for (database only; it waits,
  saying so on the condition, while one of them is not on Hetzner yet).
* The server is created with the plan's public interface (a NIC's public IPs as its primary IPs; none when
  no NIC leads to the internet) and, for a private-only server, its primary network (Hetzner needs one).
* ``converge`` brings the server to the plan, one followed action at a time, deciding each from what the
  server shows (so a lost answer is never sent twice): attach, re-address and detach networks, set alias
  IPs, swap primary IPs (the server must be off: it is shut down as stop does, and power is restored by
  the caller), apply and remove firewalls. It then records what Hetzner shows on the NICs (their status).
* ``release`` forgets it all once the server is gone.

Only what the service attached or applied is ever detached or removed: a network or firewall an operator
added to the server by hand stays.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from secapi_hetzner.engine.context import MANAGED, StepContext
from secapi_hetzner.engine.follow import follow
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.hetzner import HAction, HetznerNotFound, HServer
from secapi_hetzner.resources.instance.model import InstanceRecord, InstanceSpec
from secapi_hetzner.resources.network import usage as networks
from secapi_hetzner.resources.nic import usage as nics
from secapi_hetzner.resources.nic.translate import wanted_addresses
from secapi_hetzner.resources.public_ip import usage as public_ips
from secapi_hetzner.resources.route_table import usage as route_tables
from secapi_hetzner.resources.security_group import usage as security_groups
from secapi_hetzner.resources.subnet import usage as subnets
from secapi_hetzner.store.repository import Resource

FAMILIES = ("ipv4", "ipv6")


class NetStep(enum.StrEnum):
    """The Hetzner actions networking follows; the target names the network, primary IP or firewall."""

    ATTACH = "attach-network"
    DETACH = "detach-network"
    ALIAS_IPS = "alias-ips"
    UNASSIGN_IP = "unassign-ip"
    ASSIGN_IP = "assign-ip"
    APPLY_FIREWALL = "apply-firewall"
    REMOVE_FIREWALL = "remove-firewall"


@dataclass(frozen=True)
class Attachment:
    nic: Resource
    network_id: int
    ip: str | None
    alias_ips: tuple[str, ...]
    #: the public IPs (names) the NIC binds
    public_ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class NetworkPlan:
    attachments: tuple[Attachment, ...] = ()
    #: family → the primary IP a NIC's public IP stands for
    primary_ips: dict[str, int] = field(default_factory=dict)
    #: the server has public interfaces (instances without NICs always have)
    public: bool = True
    firewall_ids: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def create_networks(self) -> tuple[int, ...]:
        """Networks to attach at create: Hetzner creates a server without public interfaces only with one."""
        return () if self.public or not self.attachments else (self.attachments[0].network_id,)

    def create_public(self, family: str) -> bool | int:
        """What the create asks for in ``family``: a NIC's primary IP, a new one, or none."""
        return self.primary_ips.get(family) or self.public


def _spec(ctx: StepContext) -> InstanceSpec:
    return InstanceSpec.parse(ctx.resource.spec)


def _record(ctx: StepContext) -> InstanceRecord:
    return InstanceRecord.from_json(ctx.resource.internal)


def _waiting(ctx: StepContext, reason: str, message: str) -> Outcome:
    ctx.waiting_on(reason, message)
    return ctx.wait(message, reason=reason)


def plan(ctx: StepContext) -> NetworkPlan | Outcome:
    """What the instance's NICs and security groups ask of its server (no Hetzner call but, for a public IP
    in another location than the instance, asking that public IP to move)."""
    spec = _spec(ctx)
    if not spec.nic_names and spec.security_group is None:
        return NetworkPlan()
    key = ctx.resource.key
    attachments: list[Attachment] = []
    primary_ips: dict[str, int] = {}
    public = not spec.nic_names
    groups: list[str] = [spec.security_group.name] if spec.security_group else []
    for name in spec.nic_names:
        nic = ctx.lookup("nic", name)
        if nic is None or nic.deleted_at is not None:
            return Outcome.failed("NicMissing", f"NIC {name!r} does not exist.")
        carrier = nics.claim(ctx, nic, key.name)
        if carrier != key.name:  # two instances admitted at once with the same NIC: the first to claim keeps it
            return Outcome.failed("NicInUse", f"NIC {name!r} is carried by instance {carrier!r}.")
        nic_spec = nics.spec_of(nic)
        network = networks.live_network(ctx.repository, key.tenant, key.workspace, nic_spec.network)
        subnet = subnets.live_subnet(ctx.repository, key.tenant, key.workspace, nic_spec.network,
                                     nic_spec.subnet.name) if network is not None else None
        if network is None or subnet is None:
            return Outcome.failed("SubnetMissing", f"NIC {name!r}: subnet {nic_spec.subnet.name!r} of network "
                                                   f"{nic_spec.network!r} does not exist.")
        network_id = networks.network_id_of(network)
        if not network_id or not subnets.on_hetzner(subnet):
            return _waiting(ctx, "WaitingForSubnet", f"Waiting for subnet {nic_spec.subnet.name!r} of network "
                                                     f"{nic_spec.network!r} (NIC {name!r}) to be created on Hetzner.")
        network_range = networks.ip_range_of(network)
        ip, aliases = wanted_addresses(nic_spec.addresses, subnets.block_of(subnet, network_range), network_range)
        if route_tables.internet_gateway_behind(ctx.repository, key.tenant, key.workspace, nic_spec.network,
                                                subnets.route_table_of(subnet)):
            public = True
        for ip_name in nic_spec.public_ip_names:
            address = ctx.lookup("public-ip", ip_name)
            if address is None or address.deleted_at is not None:
                return _waiting(ctx, "WaitingForPublicIp", f"NIC {name!r} names public IP {ip_name!r}, which does "
                                                           "not exist yet.")
            held = public_ips.primary_ip_in(ctx, address, spec.zone)
            if held is None:
                return _waiting(ctx, "WaitingForPublicIp", f"Waiting for public IP {ip_name!r} (NIC {name!r}) to be "
                                                           f"on Hetzner in {spec.zone}.")
            primary_ips[public_ips.family_of(address)] = held
        attachments.append(Attachment(nic, network_id, ip, aliases, nic_spec.public_ip_names))
        groups.extend(nic_spec.security_group_names)
    firewall_ids: list[int] = []
    for group in dict.fromkeys(groups):
        firewall = security_groups.firewall_of(ctx, group)
        if firewall is None:
            return _waiting(ctx, "WaitingForSecurityGroup", f"Waiting for security group {group!r} to be created "
                                                            "on Hetzner.")
        firewall_ids.append(firewall)
    return NetworkPlan(attachments=tuple(attachments), primary_ips=primary_ips, public=public or bool(primary_ips),
                       firewall_ids=tuple(dict.fromkeys(firewall_ids)), groups=tuple(dict.fromkeys(groups)))


def created(ctx: StepContext, wanted: NetworkPlan) -> dict[str, object]:
    """What a create made of the plan, recorded before the create is sent (a lost answer is then adopted
    with the right bookkeeping)."""
    return {"network_ids": list(wanted.create_networks) or None,
            "primary_ip_ids": sorted(wanted.primary_ips.values()) or None,
            "firewall_ids": list(wanted.firewall_ids) if wanted.public and wanted.firewall_ids else None}


Stop = Callable[[StepContext, HServer], "Outcome | HServer"]
#: a converging step's answer: what to report, or the server as it now is and whether Hetzner changed it
Stepped = Outcome | tuple[HServer, bool]


def converge(ctx: StepContext, server: HServer, wanted: NetworkPlan, stop: Stop) -> Outcome | HServer:
    """Bring the server's networks, primary IPs and firewalls to ``wanted``; then record what it has."""
    record = _record(ctx)
    if not (wanted.attachments or wanted.firewall_ids or record.network_ids or record.firewall_ids
            or record.primary_ip_ids or record.nics):
        return server  # nothing asked, nothing set before: no call
    changed = False
    for step in (_networks, _primary_ips, _firewalls):
        result = step(ctx, server, wanted, stop)
        if isinstance(result, Outcome):
            return result
        server, touched = result
        changed = changed or touched
    if changed:
        server = ctx.gateway.get_server(server.id)
    report(ctx, server, wanted)
    return server


def _networks(ctx: StepContext, server: HServer, wanted: NetworkPlan, stop: Stop) -> Stepped:
    ours = set(_record(ctx).network_ids or ())
    by_network = {a.network_id: a for a in wanted.attachments}
    attached = {n.network_id: n for n in server.private_net}
    changed = False
    for network_id, shown in list(attached.items()):
        wants = by_network.get(network_id)
        if network_id in ours and (wants is None or (wants.ip is not None and wants.ip != shown.ip)):
            # a NIC removed, or its address changed (Hetzner re-addresses by attaching again)
            waiting = _follow(ctx, NetStep.DETACH, network_id, ctx.gateway.detach_from_network, server.id,
                              network_id)
            if waiting is not None:
                return waiting
            del attached[network_id]
            changed = True
    for network_id, attachment in by_network.items():
        current = attached.get(network_id)
        if current is None:
            ctx.update(internal={"network_ids": sorted({*(_record(ctx).network_ids or ()), network_id})})
            waiting = _follow(ctx, NetStep.ATTACH, network_id, partial(
                ctx.gateway.attach_to_network, ip=attachment.ip, alias_ips=attachment.alias_ips), server.id,
                network_id)
        elif set(current.alias_ips) != set(attachment.alias_ips):
            waiting = _follow(ctx, NetStep.ALIAS_IPS, network_id, ctx.gateway.change_alias_ips, server.id,
                              network_id, attachment.alias_ips)
        else:
            continue
        if waiting is not None:
            return waiting
        changed = True
    ctx.update(internal={"network_ids": sorted(by_network) or None})
    return server, changed


def _primary_ips(ctx: StepContext, server: HServer, wanted: NetworkPlan, stop: Stop) -> Stepped:
    """Each family's primary IP is the NIC's public IP, when one names it; a public IP the service assigned
    and no NIC names any more is unassigned. Hetzner swaps primary IPs of a stopped server only."""
    record = _record(ctx)
    ours = set(record.primary_ip_ids or ())
    changed = False
    if record.drop_primary_ip and record.drop_primary_ip not in (server.primary_ipv4_id, server.primary_ipv6_id):
        _drop_if_hetzners(ctx, record.drop_primary_ip)  # unassigned by an earlier run
        ctx.update(internal={"drop_primary_ip": None})
    for family in FAMILIES:
        current = server.primary_ipv4_id if family == "ipv4" else server.primary_ipv6_id
        target = wanted.primary_ips.get(family)
        if current == target or (target is None and current not in ours):
            continue
        stopped = stop(ctx, server)
        if isinstance(stopped, Outcome):
            return stopped
        server = stopped
        if current is not None:
            if current not in ours:  # the one Hetzner made with the server
                ctx.update(internal={"drop_primary_ip": current})
            waiting = _follow(ctx, NetStep.UNASSIGN_IP, current, ctx.gateway.unassign_primary_ip, current)
            if waiting is not None:
                return waiting
            if current not in ours:
                _drop_if_hetzners(ctx, current)
                ctx.update(internal={"drop_primary_ip": None})
        if target is not None:
            ctx.update(internal={"primary_ip_ids": sorted({*ours, target})})
            waiting = _follow(ctx, NetStep.ASSIGN_IP, target, ctx.gateway.assign_primary_ip, target, server.id)
            if waiting is not None:
                return waiting
        changed = True
    ctx.update(internal={"primary_ip_ids": sorted(wanted.primary_ips.values()) or None})
    return server, changed


def _drop_if_hetzners(ctx: StepContext, primary_ip_id: int) -> None:
    """A primary IP Hetzner made with the server (not a SECA public IP) is deleted once unassigned: it would
    otherwise stay in the project, unused and billed."""
    try:
        found = ctx.gateway.get_primary_ip(primary_ip_id)
    except HetznerNotFound:
        return
    if found.auto_delete and dict(found.labels).get(MANAGED) != "true" and found.assignee_id is None:
        ctx.gateway.delete_primary_ip(primary_ip_id)


def _firewalls(ctx: StepContext, server: HServer, wanted: NetworkPlan, stop: Stop) -> Stepped:
    """Hetzner firewalls filter public interfaces only: a private-only server gets none."""
    ours = set(_record(ctx).firewall_ids or ())
    public = server.public or bool(wanted.primary_ips)  # a public IP assigned just now makes it public
    want = set(wanted.firewall_ids) if public else set()
    applied = set(server.firewall_ids)
    changed = False
    for firewall in sorted((applied & ours) - want):
        waiting = _follow(ctx, NetStep.REMOVE_FIREWALL, firewall, ctx.gateway.remove_firewall, firewall, server.id)
        if waiting is not None:
            return waiting
        changed = True
    for firewall in sorted(want - applied):
        ctx.update(internal={"firewall_ids": sorted(ours | {firewall})})
        waiting = _follow(ctx, NetStep.APPLY_FIREWALL, firewall, ctx.gateway.apply_firewall, firewall, server.id)
        if waiting is not None:
            return waiting
        changed = True
    ctx.update(internal={"firewall_ids": sorted(want) or None})
    return server, changed


def _follow(ctx: StepContext, step: NetStep, target: int, send: Callable[..., HAction | None],
            *args: object) -> Outcome | None:
    return follow(ctx, step, lambda: send(*args), target=target)


def report(ctx: StepContext, server: HServer, wanted: NetworkPlan) -> None:
    """Record on each NIC what Hetzner shows (its status), forget NICs no longer carried, keep the server's
    public addresses for the security groups that name this instance's as peers, and wake what follows
    them (route tables targeting the instance, peer security groups) when they changed."""
    record = _record(ctx)
    name = ctx.resource.key.name
    bound_ids = {pid for pid in (server.primary_ipv4_id, server.primary_ipv6_id) if pid}
    carried: list[str] = []
    readdressed = False
    for attachment in wanted.attachments:
        shown = server.attachment(attachment.network_id)
        if shown is None:
            continue
        readdressed = readdressed or nics.record_of(attachment.nic).ip != shown.ip
        bound = tuple(n for n in attachment.public_ips
                      if public_ips.primary_ip_id_of(ctx, n) in bound_ids)
        nics.attached(ctx, attachment.nic, instance=name, server_id=server.id, attachment=shown, public_ips=bound)
        carried.append(attachment.nic.key.name)
    for gone in set(record.nics or ()) - set(carried):
        nic = ctx.lookup("nic", gone)
        if nic is not None:
            nics.detached(ctx, nic)
    addresses = tuple(a for a in (server.ipv4, server.ipv6) if a)
    addresses_changed = addresses != (record.public_addresses or ())
    ctx.update(internal={"nics": carried or None, "public_addresses": list(addresses) or None})
    if carried != list(record.nics or ()) or readdressed or addresses_changed:
        _wake_followers(ctx, wanted.groups if addresses_changed else ())


def release(ctx: StepContext) -> None:
    """The server is gone: its NICs are carried by nothing, and what followed its addresses is woken."""
    record = _record(ctx)
    spec = _spec(ctx)
    for name in dict.fromkeys((*(record.nics or ()), *spec.nic_names)):
        nic = ctx.lookup("nic", name)
        if nic is not None and nics.record_of(nic).instance == ctx.resource.key.name:
            nics.detached(ctx, nic)
    groups = [spec.security_group.name] if spec.security_group else []
    for name in spec.nic_names:
        nic = ctx.lookup("nic", name)
        if nic is not None:
            groups.extend(nics.spec_of(nic).security_group_names)
    if record.nics or record.public_addresses:
        _wake_followers(ctx, tuple(dict.fromkeys(groups)) if record.public_addresses else ())


def _wake_followers(ctx: StepContext, groups: tuple[str, ...]) -> None:
    key = ctx.resource.key
    tables = [t for t in ctx.repository.referencing(key.tenant, key.workspace, "routing-table",
                                                    f'instances/{key.name}"') if t.deleted_at is None]
    with ctx.db.transaction() as conn:
        for table in tables:
            ctx.queue.enqueue(conn, table.id, "apply")
    if groups:
        security_groups.members_changed(ctx, groups)
