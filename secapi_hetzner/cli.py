"""``secapi-hetzner``: serve | worker | migrate | simulator | tokens."""

from __future__ import annotations

import argparse
import logging
import sys

from secapi_hetzner.settings import DEFAULT_TENANT, Settings


def _serve(args: argparse.Namespace) -> int:
    from secapi_hetzner.server import serve

    serve(Settings.from_env(), workers=args.workers, dev=args.dev)
    return 0


def _worker(args: argparse.Namespace) -> int:
    """A standalone worker process: claims operations from the shared PostgreSQL until SIGTERM."""
    import signal

    from secapi_hetzner.app.factory import build_services
    from secapi_hetzner.store import Database, apply_migrations

    settings = Settings.from_env()
    if not settings.database_url:
        print("secapi-hetzner worker needs DATABASE_URL (the service's PostgreSQL)", file=sys.stderr)
        return 2
    apply_migrations(settings.database_url)
    db = Database(settings.database_url, max_size=2)
    services = build_services(settings, db)
    worker = services.worker
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    print(f"worker {worker.id} running", flush=True)
    try:
        worker.run_forever(services.drift.run_once, settings.resync_every)
    finally:
        db.close()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from secapi_hetzner.store import apply_migrations, ensure_database

    settings = Settings.from_env()
    url, embedded = ensure_database(settings.database_url, settings.data_dir)
    try:
        print(f"{apply_migrations(url)} migration(s) applied")
    finally:
        if embedded:
            embedded.stop()
    return 0


def _simulator(args: argparse.Namespace) -> int:
    from secapi_hetzner.simulator import run

    run(args.host, args.port)
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from secapi_hetzner.app.auth import TokenRegistry
    from secapi_hetzner.store import Database, apply_migrations, ensure_database

    settings = Settings.from_env()
    url, embedded = ensure_database(settings.database_url, settings.data_dir)
    try:
        apply_migrations(url)
        db = Database(url, min_size=1, max_size=1)
        token = TokenRegistry(db).issue(args.tenant, label=args.label)
        db.close()
        print(token)
    finally:
        if embedded:
            embedded.stop()
    return 0


def _tenant_token(args: argparse.Namespace) -> int:
    """Give a tenant its own Hetzner project: the token is read from standard input (never from the
    command line, where process lists and shell histories would keep it) and stored encrypted."""
    from secapi_hetzner.hetzner.credentials import Credentials, load_key
    from secapi_hetzner.store import Database, apply_migrations, ensure_database

    token = sys.stdin.readline().strip()
    if not token:
        print("no token on standard input", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    url, embedded = ensure_database(settings.database_url, settings.data_dir)
    try:
        apply_migrations(url)
        db = Database(url, min_size=1, max_size=1)
        Credentials(db, load_key(settings.secret_key, settings.data_dir), operator_token="",
                    simulated=False).set_token(args.tenant, token)
        db.close()
        print(f"tenant {args.tenant!r} now uses its own Hetzner project")
    finally:
        if embedded:
            embedded.stop()
    return 0


def _capabilities(args: argparse.Namespace) -> int:
    from secapi_hetzner.app.capabilities import build_matrix, markdown

    print(markdown(build_matrix(Settings.from_env().spec_dir)), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="secapi-hetzner", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the SECA API with gunicorn")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--dev", action="store_true", help="issue and print a dev token for tenant 'dev'")
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    commands.add_parser("worker", help="run a worker that executes queued operations (scale-out)").set_defaults(
        run=_worker)
    sim = commands.add_parser("simulator", help="run the built-in Hetzner Cloud API simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8181)
    sim.set_defaults(run=_simulator)
    tokens = commands.add_parser("tokens", help="issue an API token for a tenant (printed once)")
    tokens.add_argument("--tenant", default=DEFAULT_TENANT)
    tokens.add_argument("--label", default="")
    tokens.set_defaults(run=_tokens)
    tenant_token = commands.add_parser("tenant-token", help="set a tenant's Hetzner API token (read from stdin)")
    tenant_token.add_argument("--tenant", required=True)
    tenant_token.set_defaults(run=_tenant_token)
    commands.add_parser("capabilities", help="print the capability matrix as Markdown").set_defaults(
        run=_capabilities)
    return root


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
