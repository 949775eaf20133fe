"""Every Hetzner collection a kind may observe has a finder and a place in the inventory."""

from __future__ import annotations

from dataclasses import fields
from typing import get_args

from secapi_hetzner.engine.observe import Collection, Inventory
from secapi_hetzner.resources.registry import KINDS
from secapi_hetzner.runner.drift import FINDERS


def test_each_collection_is_listed_and_held() -> None:
    collections = set(get_args(Collection))
    assert set(FINDERS) == collections
    assert {f.name for f in fields(Inventory)} == collections
    assert set().union(*(kind.observes for kind in KINDS.values())) <= collections
