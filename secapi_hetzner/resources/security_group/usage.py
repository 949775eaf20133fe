"""The security-group kind's API for other kinds (security group rules, instances and NICs)."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.resources.instance import usage as instances
from secapi_hetzner.resources.security_group_rule.model import RuleSpec
from secapi_hetzner.store.repository import Resource, ResourceRepository

# isort: split
# after the rule model: the rule package imports this package's kind, which needs this model complete
from secapi_hetzner.resources.security_group.model import SecurityGroupRecord

KIND_NAME = "security-group"


def rule_needle(rule: str) -> str:
    """What a security group's spec holds when it references rule ``rule`` (``ruleRefs``)."""
    return f'security-group-rules/{rule}"'


def groups_using_rule(repository: ResourceRepository, tenant: str, workspace: str, rule: str) -> list[Resource]:
    """The live security groups of the workspace whose ``ruleRefs`` name ``rule``."""
    return repository.referencing(tenant, workspace, KIND_NAME, rule_needle(rule))


def rule_changed(ctx: StepContext, rule: str) -> list[str]:
    """Rule ``rule`` (the step's resource) changed: every group referencing it sets its firewall's rules
    again (an ``apply`` operation each; the group's own step follows Hetzner's action). Their names."""
    key = ctx.resource.key
    groups = groups_using_rule(ctx.repository, key.tenant, key.workspace, rule)
    with ctx.db.transaction() as conn:
        for group in groups:
            ctx.queue.enqueue(conn, group.id, "apply")
    return [group.key.name for group in groups]


def firewall_of(ctx: StepContext, group: str) -> int | None:
    """The Hetzner firewall of security group ``group``, once created."""
    found = ctx.lookup(KIND_NAME, group)
    if found is None or found.deleted_at is not None:
        return None
    return SecurityGroupRecord.from_json(found.internal).firewall_id


def _members(ctx: StepContext, group: str) -> list[Resource]:
    """The live instances in ``group``: through their ``securityGroupRef`` or a NIC they carry."""
    key = ctx.resource.key
    needle = f'security-groups/{group}"'
    members = {i.id: i for i in ctx.repository.referencing(key.tenant, key.workspace, "instance", needle)}
    for nic in ctx.repository.referencing(key.tenant, key.workspace, "nic", needle):
        if nic.deleted_at is None:
            for instance in ctx.repository.referencing(key.tenant, key.workspace, "instance",
                                                       f'nics/{nic.key.name}"'):
                members[instance.id] = instance
    return [m for m in members.values() if m.deleted_at is None]


def member_addresses(ctx: StepContext, groups: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The public addresses of the member servers of ``groups`` (as each instance last found them on its
    server; a group with no member with an address is absent: rules naming it as peer wait)."""
    found: dict[str, tuple[str, ...]] = {}
    for group in groups:
        addresses = sorted({a for m in _members(ctx, group) for a in instances.public_addresses_of(m)})
        if addresses:
            found[group] = tuple(addresses)
    return found


def members_changed(ctx: StepContext, groups: tuple[str, ...]) -> None:
    """The members of ``groups`` or their addresses changed: every security group whose rules name one of
    them as peer sets its firewall's rules again."""
    key = ctx.resource.key
    peers: dict[str, Resource] = {}
    for group in groups:
        for peer in ctx.repository.referencing(key.tenant, key.workspace, KIND_NAME, f'security-groups/{group}"'):
            if peer.deleted_at is None:
                peers[peer.key.name] = peer
    with ctx.db.transaction() as conn:
        for peer in peers.values():
            ctx.queue.enqueue(conn, peer.id, "apply")


def rule_spec_of(resource: Resource) -> RuleSpec:
    return RuleSpec.parse(resource.spec)
