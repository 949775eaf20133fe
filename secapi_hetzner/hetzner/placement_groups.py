"""Placement groups of type ``spread`` (servers on distinct hosts; at most 10 per group)."""

from __future__ import annotations

from collections.abc import Mapping

from hcloud.placement_groups import BoundPlacementGroup, PlacementGroup

from secapi_hetzner.hetzner.core import GatewayCore
from secapi_hetzner.hetzner.models import HPlacementGroup, freeze_labels

SPREAD = "spread"


def placement_group_from(bound: BoundPlacementGroup) -> HPlacementGroup:
    group = bound.data_model
    return HPlacementGroup(id=int(group.id or 0), name=str(group.name or ""), type=str(group.type or ""),
                           server_ids=tuple(int(s) for s in group.servers or []),
                           labels=freeze_labels(group.labels))


class PlacementGroupsMixin(GatewayCore):
    def find_placement_groups(self, label_selector: str) -> list[HPlacementGroup]:
        found = self._pages("placement_groups.get_list", lambda page, per_page: self._client.placement_groups.get_list(
            label_selector=label_selector, page=page, per_page=per_page))
        return [placement_group_from(g) for g in found]

    def get_placement_group(self, placement_group_id: int) -> HPlacementGroup:
        return placement_group_from(self._call("placement_groups.get_by_id",
                                               lambda: self._client.placement_groups.get_by_id(placement_group_id)))

    def create_placement_group(self, *, name: str, labels: Mapping[str, str]) -> HPlacementGroup:
        """A ``spread`` group; Hetzner returns no action for it (creation is immediate)."""
        response = self._call("placement_groups.create", lambda: self._client.placement_groups.create(
            name, SPREAD, labels=dict(labels)))
        return placement_group_from(response.placement_group)

    def delete_placement_group(self, placement_group_id: int) -> None:
        self._call("placement_groups.delete",
                   lambda: self._client.placement_groups.delete(PlacementGroup(id=placement_group_id)))
