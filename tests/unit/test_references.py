"""The one reference parser, as a table. No I/O."""

from __future__ import annotations

from typing import Any

import pytest

from secapi_hetzner.errors import PreconditionFailed
from secapi_hetzner.resources.references import Reference, pointer

FULL = "seca.storage/v1/tenants/acme/workspaces/ws/block-storages/disk"


@pytest.mark.parametrize(("ref", "expected"), [
    ({"resource": FULL}, Reference("block-storages", "disk", "seca.storage", "acme", "ws")),
    ({"resource": "block-storages/disk"}, Reference("block-storages", "disk")),
    ({"resource": "skus/seca.d2xs"}, Reference("skus", "seca.d2xs")),
    ({"resource": "seca.compute/v1/tenants/acme/skus/cx22"}, Reference("skus", "cx22", "seca.compute", "acme")),
    ({"resource": "seca.network/v1/tenants/t/workspaces/w/networks/n/subnets/s"},
     Reference("subnets", "s", "seca.network", "t", "w", "n")),
    ({"resource": "block-storages/disk", "provider": "seca.storage/v1", "tenant": "acme", "workspace": "w2",
      "region": "eu-central"}, Reference("block-storages", "disk", "seca.storage", "acme", "w2", None, "eu-central")),
])
def test_parse(ref: dict[str, Any], expected: Reference) -> None:
    assert Reference.parse(ref, "spec.x") == expected


@pytest.mark.parametrize("ref", [None, "block-storages/disk", {}, {"resource": ""}, {"resource": 42},
                                 {"resource": "disk"}, {"resource": "block-storages/disk/extra/"},
                                 {"resource": "BLOCK/disk"}])
def test_malformed_references_name_the_field(ref: Any) -> None:
    with pytest.raises(PreconditionFailed) as raised:
        Reference.parse(ref, "spec.dataVolumes.2.deviceRef")
    assert raised.value.pointer == "/spec/dataVolumes/2/deviceRef"
    assert "spec.dataVolumes.2.deviceRef" in raised.value.detail


def test_optional() -> None:
    assert Reference.parse_optional(None, "spec.sourceImageRef") is None
    assert Reference.parse_optional({"resource": "images/x"}, "f") == Reference("images", "x")


@pytest.mark.parametrize(("ref", "collection", "workspace", "problem"), [
    ({"resource": FULL}, "images", None, "must reference images"),
    ({"resource": "seca.storage/v1/tenants/other/skus/x"}, "skus", None, "another tenant"),
    ({"resource": FULL}, "block-storages", "not-ws", "another workspace"),
])
def test_expect_refuses(ref: dict[str, Any], collection: str, workspace: str | None, problem: str) -> None:
    with pytest.raises(PreconditionFailed, match=problem):
        Reference.parse(ref, "spec.f").expect(collection, "spec.f", tenant="acme", workspace=workspace)


def test_expect_accepts_short_and_matching_forms() -> None:
    assert Reference.parse({"resource": FULL}, "f").expect("block-storages", "f", tenant="acme", workspace="ws").name \
        == "disk"
    assert pointer("spec.bootVolume.deviceRef") == "/spec/bootVolume/deviceRef"
