import pytest

from secapi_hetzner.labels import parse_label_filter

LABELS = {"env": "prod", "tier": "web", "vcpu": "4", "billing:team": "platform", "environment": "production"}


@pytest.mark.parametrize(("selector", "expected"), [
    ("", True),
    ("env=prod", True),
    ("env=dev", False),
    ("env!=dev", True),
    ("env!=prod", False),
    ("missing!=x", True),
    ("missing=x", False),
    ("env=prod,tier=web", True),
    ("env=prod,tier=db", False),
    ("vcpu>2", True),
    ("vcpu>4", False),
    ("vcpu>=4", True),
    ("vcpu<4", False),
    ("vcpu<=4", True),
    ("env>1", False),  # a non-numeric label never matches a numeric comparison
    ("billing:team=platform", True),
    ("*env*=*prod*", True),
    ("*viron*=prod*", True),
    ("*viron*=*dev*", False),
    ("env=p*d", True),
    ("tier!=w*", False),
    ("env", True),
    ("nothere", False),
    ("!nothere", True),
    ("!env", False),
    ("billing:*", True),
    ("env=prod,,", True),
    ("vcpu>=x", False),  # a numeric comparison with a non-number matches nothing
    ("=prod", False),  # an empty key names no label
])
def test_filter_matches(selector: str, expected: bool) -> None:
    assert parse_label_filter(selector).matches(LABELS) is expected


def test_values_may_contain_operators() -> None:
    assert parse_label_filter("formula=a=b").matches({"formula": "a=b"})
    assert not parse_label_filter("formula=a=b").matches({"formula": "a"})
