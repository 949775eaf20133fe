"""The simulator refuses firewalls beyond Hetzner's documented limits, as Hetzner does: 50 rules, 500
effective rules (one per address block of a rule) and 100 CIDRs per rule."""

from __future__ import annotations

import hcloud
import pytest

RULE = {"direction": "in", "protocol": "tcp", "port": "22", "source_ips": ["0.0.0.0/0"]}


def blocks(count: int) -> list[str]:
    return [f"10.{i // 256}.{i % 256}.0/24" for i in range(count)]


@pytest.mark.parametrize(("rules", "words"), [
    ([RULE] * 51, "at most 50 rules"),
    ([{**RULE, "source_ips": blocks(100)}] * 5 + [RULE], "at most 500 effective"),
    ([{**RULE, "source_ips": blocks(101)}], "at most 100 CIDRs"),
])
def test_limits(client: hcloud.Client, rules: list[dict[str, object]], words: str) -> None:
    with pytest.raises(hcloud.APIException) as created:
        client.request("POST", "/firewalls", json={"name": "fw", "rules": rules})
    assert created.value.code == "invalid_input" and words in str(created.value.details or created.value.message)
    firewall = client.request("POST", "/firewalls", json={"name": "fw", "rules": [RULE]})["firewall"]
    with pytest.raises(hcloud.APIException) as set_rules:
        client.request("POST", f"/firewalls/{firewall['id']}/actions/set_rules", json={"rules": rules})
    assert set_rules.value.code == "invalid_input"
    assert client.request("GET", f"/firewalls/{firewall['id']}")["firewall"]["rules"] == [
        {**RULE, "destination_ips": [], "description": None}]  # unchanged
