"""Worker steps for security groups: the Hetzner firewall is created empty (recorded at once, adopted by
its labels when a create answer was lost), then its rules are set with ``set_rules`` (the action is
followed, and the digest of the rules recorded once it succeeded); delete removes the firewall."""

from __future__ import annotations

import enum

from secapi_hetzner.engine.context import StepContext, hetzner_name
from secapi_hetzner.engine.follow import follow, resume
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.engine.owned import remove_owned
from secapi_hetzner.hetzner import HetznerNotFound, HetznerRejected
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.security_group import usage
from secapi_hetzner.resources.security_group.model import SecurityGroupRecord, SecurityGroupSpec
from secapi_hetzner.resources.security_group.translate import GroupRules, group_rules, rules_digest
from secapi_hetzner.resources.security_group_rule.model import RuleSpec


class Step(enum.StrEnum):
    SET_RULES = "set-rules"  # target: the digest of the rules


def wanted_rules(ctx: StepContext) -> GroupRules:
    spec = SecurityGroupSpec.parse(ctx.resource.spec)
    referenced: dict[str, RuleSpec | None] = {}
    for name in spec.rule_names:
        rule = ctx.lookup("security-group-rule", name)
        referenced[name] = usage.rule_spec_of(rule) if rule is not None and rule.deleted_at is None else None
    return group_rules(spec, referenced, usage.member_addresses(ctx, spec.peer_groups))


class SecurityGroupReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        recheck = ctx.after_error()
        ctx.update(event=Event.PROVISIONING)
        resumed = resume(ctx)
        if isinstance(resumed, Outcome):
            return resumed
        wanted = wanted_rules(ctx)
        key = rules_digest(wanted.rules)
        record = SecurityGroupRecord.from_json(ctx.resource.internal)
        if recheck and record.firewall_id and resumed is None:  # what it holds now (changed or deleted outside?)
            try:
                shown = ctx.gateway.get_firewall(record.firewall_id)
                ctx.update(internal={"rules_key": rules_digest(shown.rules)})
            except HetznerNotFound:  # deleted outside: a new one is made
                ctx.update(internal={"firewall_id": None, "rules_key": None})
            record = SecurityGroupRecord.from_json(ctx.resource.internal)
        if not record.firewall_id and record.create_attempts != 0:
            found = ctx.gateway.find_firewalls(ctx.selector())  # a create whose answer was lost
            if found:
                ctx.update(internal={"firewall_id": found[0].id, "rules_key": rules_digest(found[0].rules)})
        record = SecurityGroupRecord.from_json(ctx.resource.internal)
        if not record.firewall_id:
            ctx.update(internal={"create_attempts": (record.create_attempts or 0) + 1})
            created = ctx.gateway.create_firewall(name=hetzner_name(ctx.resource.key.name, str(ctx.resource.id)),
                                                  rules=[], labels=ctx.ownership_labels())
            ctx.update(internal={"firewall_id": created.obj.id, "rules_key": rules_digest(())})
            record = SecurityGroupRecord.from_json(ctx.resource.internal)
        firewall_id = record.firewall_id
        assert firewall_id is not None
        if record.rules_key != key:
            try:
                waiting = follow(ctx, Step.SET_RULES,
                                 lambda: ctx.gateway.set_firewall_rules(firewall_id, wanted.rules), target=key)
            except HetznerNotFound:
                return Outcome.failed("FirewallMissing", f"Hetzner firewall {firewall_id} no longer exists "
                                                         "(deleted outside secapi-hetzner).")
            if waiting is not None:
                return waiting
            ctx.update(internal={"rules_key": key})
        ctx.update(event=Event.PROVISIONED)  # an unchanged rule set costs no Hetzner call
        pending = wanted.pending()
        if pending:
            ctx.waiting_on("RulesPending", f"The Hetzner firewall holds the other rules; pending: {pending}.")
        else:
            ctx.clear_note()
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        record = SecurityGroupRecord.from_json(ctx.resource.internal)
        try:
            remove_owned(ctx, record.firewall_id, record.create_attempts, delete=ctx.gateway.delete_firewall,
                         find=ctx.gateway.find_firewalls)
        except HetznerRejected as exc:  # still applied: the instance that used it is removing it
            return ctx.wait(f"Hetzner firewall {record.firewall_id} is still applied ({exc})", reason="InUse")
        ctx.purge()
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Security groups have no action {action!r}.")
