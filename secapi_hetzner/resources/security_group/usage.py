"""The security-group kind's API for other kinds (security group rules; later instances and NICs)."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.resources.security_group_rule.model import RuleSpec
from secapi_hetzner.store.repository import Resource, ResourceRepository

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


def member_addresses(ctx: StepContext, groups: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The public addresses of the member servers of ``groups``. Membership comes through instances and NICs
    (not built yet), so no group has members: rules whose peers are groups wait (the condition says so)."""
    return {}


def rule_spec_of(resource: Resource) -> RuleSpec:
    return RuleSpec.parse(resource.spec)
