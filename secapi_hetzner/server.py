"""gunicorn with uvicorn workers; the master prepares what every worker shares.

``on_starting`` (master, once): the database (embedded PostgreSQL unless ``DATABASE_URL`` is set),
the yoyo migrations, the Hetzner simulator when no ``HCLOUD_TOKEN`` is configured, and (``--dev``)
a fresh dev token. ``on_exit`` stops what the master started, so Ctrl-C leaves no process behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
from typing import Any

from gunicorn.app.base import BaseApplication

from secapi_hetzner.app.protocol import KEEP_ALIVE_SECONDS
from secapi_hetzner.settings import DEFAULT_TENANT, Settings
from secapi_hetzner.simulator_process import SimulatorProcess, start_simulator, watch_parent
from secapi_hetzner.store import EmbeddedPostgres, apply_migrations, ensure_database

log = logging.getLogger("secapi_hetzner")


class Prepared:
    """What the master started and must stop."""

    embedded: EmbeddedPostgres | None = None
    simulator: SimulatorProcess | None = None


#: where the built-in simulator keeps its Hetzner objects between runs (beside the embedded database)
SIMULATOR_STATE_FILE = "simulator-state.json"


def prepare_environment(settings: Settings, prepared: type[Prepared] = Prepared) -> Settings:
    url, prepared.embedded = ensure_database(settings.database_url, settings.data_dir)
    os.environ["DATABASE_URL"] = url
    applied = apply_migrations(url) if settings.migrate else 0
    where = f"embedded PostgreSQL in {settings.data_dir / 'pg'}" if prepared.embedded else "DATABASE_URL"
    print(f"database: {where} ({applied} migration(s) applied)" if settings.migrate else
          f"database: {where} (migrations left to `secapi-hetzner migrate`)", flush=True)
    if settings.uses_simulator and not settings.hcloud_endpoint:  # (an HCLOUD_ENDPOINT simulator is used as is)
        prepared.simulator = start_simulator(dev_pace=True, state_file=settings.data_dir / SIMULATOR_STATE_FILE)
        os.environ["HCLOUD_ENDPOINT"] = prepared.simulator.url
        print(f"backend: built-in Hetzner simulator at {prepared.simulator.url} (no HCLOUD_TOKEN set)", flush=True)
    elif settings.uses_simulator:
        print(f"backend: Hetzner simulator at {settings.hcloud_endpoint} (HCLOUD_ENDPOINT; no HCLOUD_TOKEN)",
              flush=True)
    else:
        print(f"backend: Hetzner Cloud at {settings.hcloud_endpoint or 'https://api.hetzner.cloud/v1'}", flush=True)
    return Settings.from_env()


def shutdown_environment(prepared: type[Prepared] = Prepared) -> None:
    if prepared.simulator is not None:
        prepared.simulator.stop()
        prepared.simulator = None
    if prepared.embedded is not None:
        prepared.embedded.stop()
        prepared.embedded = None


def issue_dev_token(settings: Settings, tenant: str = DEFAULT_TENANT) -> None:
    from secapi_hetzner.app.auth import ADMIN_SUBJECT, TokenRegistry
    from secapi_hetzner.services.tenancy import bootstrap_admin, offline_service
    from secapi_hetzner.store import Database

    db = Database(settings.database_url, min_size=1, max_size=1)
    try:
        token = TokenRegistry(db).issue(tenant, label="make-run", replace=True)
        bootstrap_admin(offline_service(db), tenant, ADMIN_SUBJECT)  # the dev token's subject administers it
    finally:
        db.close()
    base = settings.base_url
    print("\nDev tenant ready. Copy this line into your shell:\n"
          f"  export SECA_TENANT={tenant} SECA_TOKEN={token}\n"
          "Then try:\n"
          f'  curl -s -H "Authorization: Bearer $SECA_TOKEN" {base}/providers/seca.region/v1/regions\n'
          f'  curl -s -H "Authorization: Bearer $SECA_TOKEN" '
          f"{base}/providers/seca.compute/v1/tenants/$SECA_TENANT/skus\n", flush=True)


class SecaServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, *, workers: int, dev: bool) -> None:
        self.settings = settings
        self.workers = workers
        self.dev = dev
        super().__init__()

    def load_config(self) -> None:
        def on_starting(server: Any) -> None:
            settings = prepare_environment(self.settings)
            if self.dev:
                issue_dev_token(settings)
            if settings.metrics_port:  # the master serves every worker's metrics (multiprocess mode)
                from secapi_hetzner.app.metrics_exporter import serve_metrics
                serve_metrics(settings.metrics_port, settings.metrics_host, settings.database_url)
            print(f"serving SECA on {settings.base_url} (Ctrl-C stops)", flush=True)

        def on_exit(server: Any) -> None:
            shutdown_environment()
            folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
            if folder and self.settings.metrics_port:  # this run's metric files (serve made the folder)
                shutil.rmtree(folder, ignore_errors=True)

        def child_exit(server: Any, worker: Any) -> None:
            if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # its live gauges stop counting
                from prometheus_client import multiprocess
                multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]

        def post_fork(server: Any, worker: Any) -> None:
            # uvicorn workers do not notice a master killed with SIGKILL: without this they would serve on
            # (and hold the port) for ever; with it they stop gracefully as if the master had asked
            watch_parent(os.getppid(), lambda: os.kill(os.getpid(), signal.SIGTERM))

        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.workers,
            "worker_class": "secapi_hetzner.http_server.SecaUvicornWorker",
            "keepalive": KEEP_ALIVE_SECONDS,
            "on_starting": on_starting,
            "on_exit": on_exit,
            "child_exit": child_exit,
            "post_fork": post_fork,
            "graceful_timeout": 10,
            "timeout": 60,
            "accesslog": None,
            "control_socket_disable": True,
        }
        for key, value in options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from secapi_hetzner.asgi import application

        return application


def serve(settings: Settings, *, workers: int = 2, dev: bool = False) -> None:
    SecaServer(settings, workers=workers, dev=dev).run()
