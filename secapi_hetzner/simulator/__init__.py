"""A stateful Hetzner Cloud API simulator for tests, benchmarks and ``make run``.

It speaks the Hetzner Cloud API v1 as hcloud-python 2.27 uses it, with the 2026 changes applied
(no ``datacenter`` on servers and Primary IPs, ``GET /datacenters`` → 410, per-location server type
offers with ``available``/``recommended``, ``GET /actions`` only with ``id``). It imports nothing
from the rest of ``secapi_hetzner`` and does not use ``hcloud``, so it cannot share the client's
assumptions.

Covered:

* every bearer token is its own project, created on first use (``SimState(valid_tokens=…)``
  restricts the accepted tokens); the catalog is shared: locations, server types with prices and
  per-location availability, system images for x86 and arm;
* servers (create, update, delete, power, change_type, create_image, rebuild, rescue, backups,
  protection, placement groups, networks, reverse DNS), volumes, SSH keys, images (snapshots and
  backups), placement groups, networks (subnets, routes), firewalls (rules, apply/remove),
  Primary IPs and Floating IPs, each with Hetzner's actions, ``locked`` and ``protected`` rules;
* pagination with ``Link`` headers, sorting, label selectors, label validation, the error envelope,
  ``X-Correlation-Id`` and per-project rate limiting with ``RateLimit-*`` headers.

Test control, as :class:`SimState` methods and as HTTP under ``/_sim/`` (see :mod:`.control`):
``reset``, ``dump`` (every object per project), action timing (``set_action_timing``: finish
after N seconds, or manually with ``complete_action``/``fail_action``), ``fail_next_action``,
fault injection (``inject_fault``: error, latency, or error after the effect was applied), and
request counters per project and per route (``request_counts``).

Typical test use::

    with serve_in_thread() as sim:
        client = hcloud.Client(token="t", api_endpoint=sim.url, poll_interval=0.01)
        sim.state.inject_fault("^/servers$", method="POST", status=503)
"""

from .app import create_app
from .server import RunningSimulator, run, serve_in_thread
from .state import SimState

__all__ = ["RunningSimulator", "SimState", "create_app", "run", "serve_in_thread"]
