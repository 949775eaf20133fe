import pytest
import requests
from hcloud import APIException

from secapi_hetzner.hetzner import HetznerNotFound, HetznerRejected, HetznerTransient, hetzner_errors
from secapi_hetzner.hetzner.budget import RequestBudget


@pytest.mark.parametrize(("code", "cls"), [
    ("rate_limit_exceeded", HetznerTransient), ("locked", HetznerTransient), ("conflict", HetznerTransient),
    ("timeout", HetznerTransient), ("server_error", HetznerTransient), ("unavailable", HetznerTransient),
    ("not_found", HetznerNotFound),
    ("invalid_input", HetznerRejected), ("uniqueness_error", HetznerRejected),
    ("resource_limit_exceeded", HetznerRejected), ("protected", HetznerRejected),
    ("502", HetznerTransient), ("400", HetznerRejected),
    # a 429 or 423 without a JSON body (a proxy, an overloaded edge) is "later", never a rejection
    ("429", HetznerTransient), ("423", HetznerTransient), ("403", HetznerRejected),
])
def test_api_exception_codes_are_classified(code: str, cls: type[Exception]) -> None:
    with pytest.raises(cls) as info, hetzner_errors():
        raise APIException(code=code, message="boom", details=None, correlation_id="c-1")
    assert info.value.code == code and info.value.correlation_id == "c-1"  # type: ignore[attr-defined]


@pytest.mark.parametrize("exc", [requests.Timeout(), requests.ConnectionError()])
def test_transport_failures_are_transient(exc: Exception) -> None:
    with pytest.raises(HetznerTransient), hetzner_errors():
        raise exc


def test_budget_refills_one_per_second() -> None:
    now = [0.0]
    budget = RequestBudget(3, clock=lambda: now[0] * 1200)  # 3/hour at 1200x speed = 1 per second
    assert [budget.try_take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert budget.try_take() > 0
    now[0] = 1.0
    assert budget.try_take() == 0.0
