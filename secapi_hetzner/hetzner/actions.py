"""Actions: Hetzner's record of asynchronous work. The gateway never waits; callers poll ``get_action``."""

from __future__ import annotations

from hcloud.actions import Action, BoundAction

from secapi_hetzner.hetzner.core import GatewayCore
from secapi_hetzner.hetzner.models import HAction


def action_from(bound: BoundAction | Action) -> HAction:
    action = bound.data_model if isinstance(bound, BoundAction) else bound
    error = action.error or None
    return HAction(
        id=int(action.id), command=str(action.command or ""), status=str(action.status or ""),
        progress=int(action.progress or 0),
        error_code=str(error["code"]) if error else None, error_message=str(error["message"]) if error else None,
        started=action.started, finished=action.finished,
    )


def optional_action(bound: BoundAction | None) -> HAction | None:
    return action_from(bound) if bound is not None else None


class ActionsMixin(GatewayCore):
    def get_actions(self, action_ids: list[int]) -> list[HAction]:
        """``GET /actions?id=…&id=…``: up to 50 actions in one read (the ones Hetzner still knows)."""
        found: list[HAction] = []
        for start in range(0, len(action_ids), 50):
            chunk = action_ids[start:start + 50]
            body = self._call("actions.get_list", lambda chunk=chunk: self._client.request(  # type: ignore[misc]
                "GET", "/actions", params={"id": chunk, "per_page": 50}))
            found += [action_from(Action.from_dict(item)) for item in body.get("actions", [])]
        return found

    def get_action(self, action_id: int) -> HAction:
        """``GET /actions/{id}``: one read, whatever the action's resource."""
        return action_from(self._call("actions.get_by_id", lambda: self._client.actions.get_by_id(action_id)))
