"""The worker steps of a security group rule: no Hetzner object of its own; when it is created, changed
or deleted, the groups that reference it set their firewalls' rules again."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.security_group import usage as security_groups


class SecurityGroupRuleReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        security_groups.rule_changed(ctx, ctx.resource.key.name)
        ctx.update(event=Event.PROVISIONED)
        ctx.clear_note()
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        security_groups.rule_changed(ctx, ctx.resource.key.name)  # they find it gone: it leaves their firewalls
        ctx.purge()
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"Security group rules have no action {action!r}.")
