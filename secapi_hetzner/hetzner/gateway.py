"""The one place that talks to Hetzner.

A :class:`Gateway` owns one ``hcloud.Client`` per credential with an explicit timeout, the request
budget of its Hetzner project (3,600 requests/hour/project; shared by every process when it lives in
PostgreSQL) and the call counter. Every call goes through :meth:`Gateway._call`, which spends budget at
the gateway's priority, counts the call and translates errors; a ``requests`` response hook on hcloud's
own session hands Hetzner's ``RateLimit-*`` headers of every answer to the budget. hcloud's own in-thread retry loop is
switched off (``_retry_max_retries = 0``): retrying is decided once, by the caller that owns the work
(the catalog refresher, or the operation queue), never by sleeping inside a request thread.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from hcloud import Client

from secapi_hetzner import metrics, tracing
from secapi_hetzner.hetzner.actions import ActionsMixin
from secapi_hetzner.hetzner.budget import Budget, CallCounter, Priority, RequestBudget
from secapi_hetzner.hetzner.errors import HetznerError, HetznerTransient, hetzner_errors
from secapi_hetzner.hetzner.firewalls import FirewallsMixin
from secapi_hetzner.hetzner.images import ImagesMixin
from secapi_hetzner.hetzner.models import HImage, HLocation, HServerType, HTypeLocation
from secapi_hetzner.hetzner.networks import NetworksMixin
from secapi_hetzner.hetzner.placement_groups import PlacementGroupsMixin
from secapi_hetzner.hetzner.primary_ips import PrimaryIPsMixin
from secapi_hetzner.hetzner.servers import ServersMixin
from secapi_hetzner.hetzner.ssh_keys import SshKeysMixin
from secapi_hetzner.hetzner.volumes import VolumesMixin

HETZNER_API = "https://api.hetzner.cloud/v1"
APPLICATION_NAME = "secapi-hetzner"
R = TypeVar("R")
#: makes the budget of a project: (project fingerprint, requests per hour) -> Budget
BudgetFactory = Callable[[str, int], Budget]
log = logging.getLogger(__name__)


def credential_fingerprint(token: str) -> str:
    """A stable, non-secret name for a Hetzner project credential (safe to log and store)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class Gateway(ActionsMixin, ServersMixin, VolumesMixin, SshKeysMixin, ImagesMixin, PlacementGroupsMixin,
              PrimaryIPsMixin, FirewallsMixin, NetworksMixin):
    """Hetzner access for one credential (one Hetzner project).

    The catalog reads live here; compute and storage come from the per-resource mixins
    (``actions.py``, ``servers.py``, ``volumes.py``, ``ssh_keys.py``, ``images.py``,
    ``placement_groups.py``), which all go through :meth:`_call`.
    """

    def __init__(self, token: str, *, endpoint: str = "", timeout: float, requests_per_hour: int,
                 counter: CallCounter | None = None, budget: Budget | None = None,
                 priority: Priority = Priority.BACKGROUND) -> None:
        self.project = credential_fingerprint(token)
        self.endpoint = endpoint or HETZNER_API
        self.budget: Budget = budget if budget is not None else RequestBudget(requests_per_hour)
        self.priority = priority
        self.counter = counter or CallCounter()
        self._client = Client(token=token, api_endpoint=self.endpoint, timeout=timeout,
                              application_name=APPLICATION_NAME, poll_interval=1.0)
        self._client._client._retry_max_retries = 0
        # hcloud reads no RateLimit headers: a hook on the session hcloud sends every request through
        # (hcloud 2.27: ClientBase._session, a requests.Session) sees each answer, 429s included.
        self._client._client._session.hooks["response"].append(self._observe_answer)

    def __repr__(self) -> str:
        return f"Gateway(project={self.project!r}, endpoint={self.endpoint!r}, priority={self.priority.name})"

    def _observe_answer(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        remaining = _header_number(response, "RateLimit-Remaining")
        if remaining is not None:
            limit = _header_number(response, "RateLimit-Limit")
            self.budget.observe(int(remaining), _header_number(response, "RateLimit-Reset"),
                                int(limit) if limit is not None else None)

    def _call(self, name: str, fn: Callable[[], R]) -> R:
        wait = self.budget.take(self.priority)
        if wait > 0:
            metrics.HETZNER_RATE_LIMITED.inc()
            raise HetznerTransient("rate_limit_exceeded",
                                   f"Client-side Hetzner request budget exhausted; retry in {wait:.0f}s.")
        self.counter.add(name)
        log.debug("hetzner call %s (project %s)", name, self.project)
        try:
            with tracing.hetzner_span(name), hetzner_errors():
                result = fn()
        except HetznerError as exc:
            metrics.HETZNER_CALLS.labels(name, exc.code or "error").inc()
            if exc.code == "rate_limit_exceeded":
                metrics.HETZNER_RATE_LIMITED.inc()
            raise
        metrics.HETZNER_CALLS.labels(name, "ok").inc()
        return result

    # -- catalog -------------------------------------------------------------------------------------

    def list_locations(self) -> list[HLocation]:
        locations = self._call("locations.get_all", self._client.locations.get_all)
        return [HLocation(id=int(loc.id or 0), name=str(loc.name), description=str(loc.description or ""),
                          country=str(loc.country or ""), city=str(loc.city or ""),
                          network_zone=str(loc.network_zone or "")) for loc in locations]

    def list_server_types(self) -> list[HServerType]:
        types = self._call("server_types.get_all", self._client.server_types.get_all)
        result = []
        for st in types:
            locations = tuple(
                HTypeLocation(name=str(entry.location.name), available=bool(entry.available),
                              deprecated=entry.deprecation is not None)
                for entry in (st.locations or [])
            )
            result.append(HServerType(
                id=int(st.id or 0), name=str(st.name), description=str(st.description or ""),
                category=str(st.category or ""), cores=int(st.cores or 0), memory_gb=float(st.memory or 0),
                disk_gb=int(st.disk or 0), storage_type=str(st.storage_type or ""),
                cpu_type=str(st.cpu_type or ""), architecture=str(st.architecture or ""),
                # the type-wide deprecation is itself deprecated (2025-09-24): a type is retired
                # when every location has retired it
                deprecated=bool(locations) and all(loc.deprecated for loc in locations), locations=locations,
            ))
        return result

    def list_system_images(self) -> list[HImage]:
        # hcloud 2.27 sends per_page in place of the status filter (images/client.py), so the
        # status filter is applied here instead of by Hetzner.
        images = [img for img in self._call("images.get_all", lambda: self._client.images.get_all(type=["system"]))
                  if img.status == "available"]
        return [HImage(id=int(img.id or 0), name=str(img.name or ""), type=str(img.type),
                       description=str(img.description or ""), architecture=str(img.architecture or ""),
                       os_flavor=str(img.os_flavor or ""), os_version=str(img.os_version or ""),
                       disk_size_gb=float(img.disk_size or 0),
                       image_size_gb=float(img.image_size) if img.image_size is not None else None,
                       status=str(img.status or ""), deprecated=img.deprecation is not None,
                       labels=tuple(sorted((img.labels or {}).items())))
                for img in images]

    def ping(self) -> None:
        """One cheap authenticated read: raises a HetznerError when Hetzner is not usable."""
        self._call("locations.get_list", lambda: self._client.locations.get_list(per_page=1))


def _header_number(response: requests.Response, name: str) -> float | None:
    try:
        return float(response.headers[name])
    except (KeyError, ValueError):
        return None


class Gateways:
    """The gateways of the whole process: one per credential and priority, one budget per project.

    ``budget_for`` makes a project's budget (``store/budget.PostgresBudget`` in the service, shared by
    every process and replica); without it each project gets an in-memory bucket of this process.
    """

    def __init__(self, *, endpoint: str, timeout: float, requests_per_hour: int,
                 budget_for: BudgetFactory | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.requests_per_hour = requests_per_hour
        self.counter = CallCounter()
        self._budget_for: BudgetFactory = budget_for or (lambda project, per_hour: RequestBudget(per_hour))
        self._budgets: dict[str, Budget] = {}
        self._gateways: dict[tuple[str, Priority], Gateway] = {}
        self._lock = threading.Lock()

    def for_credential(self, token: str, priority: Priority = Priority.BACKGROUND) -> Gateway:
        """The gateway for a Hetzner token; ``INTERACTIVE`` for reads on a SECA client's request path."""
        key = credential_fingerprint(token)
        with self._lock:
            if (key, priority) not in self._gateways:
                if key not in self._budgets:
                    self._budgets[key] = self._budget_for(key, self.requests_per_hour)
                self._gateways[key, priority] = Gateway(
                    token, endpoint=self.endpoint, timeout=self.timeout, requests_per_hour=self.requests_per_hour,
                    counter=self.counter, budget=self._budgets[key], priority=priority)
            return self._gateways[key, priority]
