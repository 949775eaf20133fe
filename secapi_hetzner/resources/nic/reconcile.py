"""Worker steps for NICs: a NIC has no Hetzner object of its own; it is realised by the instance that
carries it (``resources/instance/networking.py``). Its apply wakes that instance so that a changed NIC
(address, public IPs, security groups, subnet) takes effect on the server; its delete forgets it."""

from __future__ import annotations

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.outcome import Outcome
from secapi_hetzner.lifecycle import Event
from secapi_hetzner.resources.nic import usage


class NicReconciler:
    def apply(self, ctx: StepContext) -> Outcome:
        ctx.update(event=Event.PROVISIONING)
        key = ctx.resource.key
        users = usage.instances_using(ctx.repository, key.tenant, key.workspace, key.name)
        with ctx.db.transaction() as conn:
            for instance in users:
                ctx.queue.enqueue(conn, instance.id, "apply")
        ctx.update(event=Event.PROVISIONED)
        ctx.clear_note()
        return Outcome.done()

    def delete(self, ctx: StepContext) -> Outcome:
        ctx.purge()  # refused while a live instance carries it; a deleted server took its attachment along
        return Outcome.done()

    def act(self, ctx: StepContext, action: str) -> Outcome:
        return Outcome.failed("UnsupportedAction", f"NICs have no action {action!r}.")
