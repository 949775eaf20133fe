"""The security-group kind: admission (every rule translatable, referenced rules and peer groups exist,
Hetzner's firewall limits), the delete refusal while something references the group, and drift (a
firewall deleted, or its rules changed, outside the service).

Hetzner firewalls filter the public interfaces of the servers they are applied to, never private
network traffic; application to servers comes through instances and NICs (docs/compatibility.md).
"""

from __future__ import annotations

from typing import Any

from secapi_hetzner import errors
from secapi_hetzner.engine.observe import Drift, Inventory
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import DeleteCheck, Kind, UpdateAnswer
from secapi_hetzner.resources.security_group.model import SecurityGroupRecord, SecurityGroupSpec
from secapi_hetzner.resources.security_group.reconcile import SecurityGroupReconciler
from secapi_hetzner.resources.security_group.translate import group_rules, rules_digest
from secapi_hetzner.resources.security_group_rule.model import RuleSpec
from secapi_hetzner.resources.security_group_rule.translate import check_limits
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Resource


def check_peer_groups(request: Admission, groups: tuple[str, ...], field: str, *, itself: str = "") -> None:
    """Security groups named as peers exist (a group's inline rules may name the group itself)."""
    for group in groups:
        if group != itself:
            request.existing("security-group", group, field)


class SecurityGroupKind(Kind):
    api = NETWORK
    kind = "security-group"
    collection = "security-groups"
    scope = "workspace"
    observes = frozenset({"firewalls"})
    record = SecurityGroupRecord
    reconciler = SecurityGroupReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = SecurityGroupSpec.parse(request.spec, tenant=request.tenant, workspace=request.workspace)
        for index, rule in enumerate(spec.rules):
            check_peer_groups(request, rule.groups, f"rules.{index}.sourceRef", itself=request.name)
        referenced: dict[str, RuleSpec | None] = {}
        for index, ref in enumerate(spec.rule_refs):
            found = request.existing("security-group-rule", ref.name, f"ruleRefs.{index}")
            referenced[ref.name] = RuleSpec.parse(found.spec)
        check_limits(group_rules(spec, referenced).rules, f"Security group {request.name!r}")
        return {}

    def initial_record(self) -> dict[str, Any]:
        return SecurityGroupRecord(create_attempts=0).to_json()

    def update_answer(self, request: Admission) -> UpdateAnswer | None:
        assert request.old is not None
        if not SecurityGroupRecord.from_json(request.old.internal).firewall_id:
            return None
        return UpdateAnswer(True, "SettingRules", "The new rules are being set on the Hetzner firewall (set_rules).")

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        key = resource.key
        needle = f'security-groups/{key.name}"'
        for kind in ("instance", "nic", "security-group", "security-group-rule"):
            users = [u for u in check.referencing(key.tenant, key.workspace, kind, needle) if u.id != resource.id]
            if users:
                raise errors.PreconditionFailed(f"Security group {key.name!r} is referenced by {kind} "
                                                f"{users[0].key.name!r}; delete or change it first.")

    def observe(self, resource: Resource, inventory: Inventory) -> Drift | None:
        record = SecurityGroupRecord.from_json(resource.internal)
        if not record.firewall_id:
            return None
        firewall = inventory.firewalls.get(record.firewall_id)
        if firewall is None:
            return Drift("DeletedOutsideService",
                         f"Hetzner firewall {record.firewall_id} was deleted outside secapi-hetzner.")
        if record.rules_key and rules_digest(firewall.rules) != record.rules_key:
            return Drift("ChangedOutsideService", f"The rules of Hetzner firewall {record.firewall_id} were changed "
                                                  "outside secapi-hetzner; PUT the security group again to restore "
                                                  "them.")
        return None


SECURITY_GROUP = SecurityGroupKind()
