"""The gateway's contract with hcloud internals it relies on (pinned, so an hcloud upgrade is noticed)."""

import inspect

from hcloud._client import ClientBase

from secapi_hetzner.hetzner import Gateway, credential_fingerprint


def test_hcloud_in_thread_retries_are_switched_off() -> None:
    gateway = Gateway("t0ken", endpoint="http://127.0.0.1:1/v1", timeout=1, requests_per_hour=10)
    assert gateway._client._client._retry_max_retries == 0
    # the private attribute must still be what ClientBase.request consults
    assert "self._retry_max_retries" in inspect.getsource(ClientBase.request)


def test_gateway_never_shows_its_token() -> None:
    gateway = Gateway("super-secret-token", endpoint="http://127.0.0.1:1/v1", timeout=1, requests_per_hour=10)
    assert "super-secret-token" not in repr(gateway)
    assert gateway.project == credential_fingerprint("super-secret-token")
    assert "super-secret-token" not in gateway.project
