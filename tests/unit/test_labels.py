import pytest

from secapi_hetzner import errors
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
])
def test_filter_matches(selector: str, expected: bool) -> None:
    assert parse_label_filter(selector).matches(LABELS) is expected


@pytest.mark.parametrize("selector", ["!!", "a==b", "=", "=prod", "idx>abc", "vcpu>=x", "env=prod,,", "a=b,,c=d",
                                      "env in (a,b)", "a b=c", "!", "a!=!b", ",", "a<>b"])
def test_malformed_selectors_are_refused_naming_the_term(selector: str) -> None:
    with pytest.raises(errors.InvalidRequest) as refused:
        parse_label_filter(selector)
    assert refused.value.parameter == "labels" and "malformed" in refused.value.detail


def test_values_may_contain_operators() -> None:
    assert parse_label_filter("formula=a=b").matches({"formula": "a=b"})
    assert not parse_label_filter("formula=a=b").matches({"formula": "a"})
