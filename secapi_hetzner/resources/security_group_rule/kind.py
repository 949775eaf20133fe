"""The security-group-rule kind: a logical object (no Hetzner object of its own). Admission checks that
Hetzner can express the rule and that every group referencing it still fits in one firewall; a change
re-programmes those groups' firewalls (``security_group.usage.rule_changed``). A rule that groups
reference may be deleted (the conformance suite's Network.V1.ProviderLifeCycle deletes the rule before
its group and expects 202): it leaves their firewalls, and the groups say so until it is back."""

from __future__ import annotations

from typing import Any

from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import Kind, UpdateAnswer
from secapi_hetzner.resources.security_group import usage as security_groups
from secapi_hetzner.resources.security_group.kind import check_peer_groups
from secapi_hetzner.resources.security_group.model import SecurityGroupSpec
from secapi_hetzner.resources.security_group.translate import group_rules
from secapi_hetzner.resources.security_group_rule.model import RuleSpec
from secapi_hetzner.resources.security_group_rule.reconcile import SecurityGroupRuleReconciler
from secapi_hetzner.resources.security_group_rule.translate import check_limits
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Key


class SecurityGroupRuleKind(Kind):
    api = NETWORK
    kind = "security-group-rule"
    collection = "security-group-rules"
    scope = "workspace"
    reconciler = SecurityGroupRuleReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        rule = RuleSpec.parse(request.spec, tenant=request.tenant, workspace=request.workspace)
        check_peer_groups(request, rule.groups, "sourceRef")
        # groups may reference it already (a rule deleted and created again): each must still fit a firewall
        for group in security_groups.groups_using_rule(request.repository, request.tenant, request.workspace,
                                                       request.name):
            spec = SecurityGroupSpec.parse(group.spec)
            referenced: dict[str, RuleSpec | None] = {}
            for name in spec.rule_names:
                found = request.repository.get(Key(request.tenant, request.workspace, "", self.kind, name))
                live = found is not None and found.deleted_at is None
                referenced[name] = RuleSpec.parse(found.spec) if found is not None and live else None
            referenced[request.name] = rule
            check_limits(group_rules(spec, referenced).rules,
                         f"Security group {group.key.name!r} (which references this rule)")
        return {}

    def update_answer(self, request: Admission) -> UpdateAnswer:
        """The rule itself is logical: its update is complete; each group using it re-programmes its
        firewall and says so on its own condition."""
        return UpdateAnswer(work=True)


SECURITY_GROUP_RULE = SecurityGroupRuleKind()
