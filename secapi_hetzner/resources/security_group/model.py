"""The security-group kind's typed model: spec (inline rules and rule references) and record. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.records import InternalRecord
from secapi_hetzner.resources.references import Reference
from secapi_hetzner.resources.security_group_rule.model import RuleSpec


@dataclass(frozen=True)
class SecurityGroupSpec:
    rules: tuple[RuleSpec, ...] = ()
    rule_refs: tuple[Reference, ...] = ()

    @property
    def rule_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ref.name for ref in self.rule_refs))

    @property
    def peer_groups(self) -> tuple[str, ...]:
        """The security groups the inline rules name as peers."""
        return tuple(dict.fromkeys(group for rule in self.rules for group in rule.groups))

    @classmethod
    def parse(cls, spec: Mapping[str, Any], *, tenant: str | None = None,
              workspace: str | None = None) -> SecurityGroupSpec:
        rules = spec.get("rules") or []
        refs = spec.get("ruleRefs") or []
        if not isinstance(rules, list) or not isinstance(refs, list):
            raise PreconditionFailed("spec.rules and spec.ruleRefs must be lists.", pointer="/spec")
        parsed_refs = []
        for index, ref in enumerate(refs):
            field = f"spec.ruleRefs.{index}"
            reference = Reference.parse(ref, field)
            if tenant is not None:
                reference.expect("security-group-rules", field, tenant=tenant, workspace=workspace)
            parsed_refs.append(reference)
        return cls(rules=tuple(RuleSpec.parse(rule, f"spec.rules.{index}", tenant=tenant, workspace=workspace)
                               for index, rule in enumerate(rules)),
                   rule_refs=tuple(parsed_refs))


@dataclass(frozen=True)
class SecurityGroupRecord(InternalRecord):
    """``firewall_id``: the Hetzner firewall; ``rules_key``: the digest of the rules last set on it (a
    ``set_rules`` action that succeeded); ``create_attempts``: creates sent so far (0: nothing to look for)."""

    firewall_id: int | None = None
    rules_key: str | None = None
    create_attempts: int | None = None
