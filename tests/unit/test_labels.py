import pytest

from secapi_hetzner.errors import InvalidRequest
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
])
def test_filter_matches(selector: str, expected: bool) -> None:
    assert parse_label_filter(selector).matches(LABELS) is expected


@pytest.mark.parametrize("selector", ["env", "=prod", "env=prod,", "a>b", "env==prod=x", "vcpu>=x"])
def test_malformed_filters_are_rejected(selector: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        parse_label_filter(selector)
    assert info.value.parameter == "labels"
