"""A workspace with its own Hetzner project (issue 11, tenant credentials): set, rotated and cleared by the
CLI, stored encrypted (service keys rotated), used for every Hetzner call of the workspace's resources,
never shown; a workspace holding resources keeps its project unless the new token is for the same one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from secapi_hetzner.app.services import current
from secapi_hetzner.store import Database
from secapi_hetzner.store.credentials import FRESHNESS_SECONDS, Credentials, load_key
from tests.conftest import ROOT, TENANT, Service

OWN = "ws-own-project"
SHARED = "ws-tenant-project"
PROJECT_TOKEN = "hcloud-token-of-the-own-project-7f3a"  # the simulator makes a project per token
LOCAL = {"resource": f"seca.storage/v1/tenants/{TENANT}/skus/local-nvme"}


def cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("HCLOUD_TOKEN", "SECA_SECRET_KEY")}
    base.update(DATABASE_URL=current().settings.database_url, SECA_DATA_DIR=str(current().settings.data_dir),
                **(env or {}))
    return subprocess.run([sys.executable, "-m", "secapi_hetzner.cli", *args], cwd=ROOT, env=base, input=stdin,
                          capture_output=True, text=True, timeout=60)


def servers_in(service: Service, token: str) -> list[dict[str, Any]]:
    projects = service.simulator.state.dump(token)["projects"]
    return [s for s in projects.get(token, {}).get("servers", []) if s["labels"].get("secapi.cloud/kind") == "instance"]


def make_instance(service: Service, workspace: str, name: str) -> None:
    storage = f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{workspace}/block-storages"
    compute = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{workspace}/instances"
    assert service.put(f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/{workspace}",
                       {"spec": {}}).status_code in (200, 201)
    assert service.put(f"{storage}/{name}-boot", {"spec": {"sizeGB": 20, "skuRef": LOCAL}}).status_code == 201
    assert service.put(f"{compute}/{name}", {"spec": {
        "skuRef": {"resource": "skus/cx23"}, "zone": "fsn1",
        "bootVolume": {"deviceRef": {"resource": f"block-storages/{name}-boot"}}}}).status_code == 201
    service.drain()
    assert service.get(f"{compute}/{name}").json()["status"]["state"] == "active"


def test_a_workspace_with_its_own_project_puts_its_servers_there(service: Service) -> None:
    tenant_project = f"simulated-project-{TENANT}"
    done = cli("workspace-token", "--tenant", TENANT, "--workspace", OWN, stdin=PROJECT_TOKEN + "\n")
    assert done.returncode == 0, done.stderr
    assert PROJECT_TOKEN not in done.stdout + done.stderr
    time.sleep(FRESHNESS_SECONDS)  # the service process notices the change within a second
    make_instance(service, OWN, "vm-own")
    make_instance(service, SHARED, "vm-shared")
    assert [s["labels"]["secapi.cloud/name"] for s in servers_in(service, PROJECT_TOKEN)] == ["vm-own"]
    assert "vm-own" not in [s["labels"]["secapi.cloud/name"] for s in servers_in(service, tenant_project)]
    assert "vm-shared" in [s["labels"]["secapi.cloud/name"] for s in servers_in(service, tenant_project)]

    listed = cli("workspace-token", "--list", "--tenant", TENANT)
    assert OWN in listed.stdout and PROJECT_TOKEN not in listed.stdout
    stored = current().db.all_sql("SELECT hetzner_token_enc FROM workspace_credentials")
    assert stored and all(PROJECT_TOKEN.encode() not in bytes(row["hetzner_token_enc"]) for row in stored)

    # holding resources: another project is refused, a new token of the same project is accepted
    refused = cli("workspace-token", "--tenant", TENANT, "--workspace", OWN, stdin="another-project\n")
    assert refused.returncode == 2 and "stay in the project they were made in" in refused.stderr
    assert cli("workspace-token", "--tenant", TENANT, "--workspace", OWN, "--clear").returncode == 2
    same = cli("workspace-token", "--tenant", TENANT, "--workspace", OWN, "--same-project", stdin=PROJECT_TOKEN + "\n")
    assert same.returncode == 0, same.stderr

    # the workspace's deletes go to its own project too
    compute = f"/providers/seca.compute/v1/tenants/{TENANT}/workspaces/{OWN}/instances"
    assert service.delete(f"{compute}/vm-own").status_code == 202
    service.drain()
    assert servers_in(service, PROJECT_TOKEN) == []
    assert service.delete(f"/providers/seca.storage/v1/tenants/{TENANT}/workspaces/{OWN}/block-storages/vm-own-boot"
                          ).status_code == 202
    service.drain()
    cleared = cli("workspace-token", "--tenant", TENANT, "--workspace", OWN, "--clear")
    assert cleared.returncode == 0 and "uses its tenant's Hetzner project" in cleared.stdout
    time.sleep(FRESHNESS_SECONDS)
    make_instance(service, OWN, "vm-back")
    assert "vm-back" in [s["labels"]["secapi.cloud/name"] for s in servers_in(service, tenant_project)]


def test_service_keys_rotate_without_losing_a_token(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url, max_size=2)
    try:
        old = load_key("", tmp_path)
        before = Credentials(db, old, operator_token="operator", simulated=False)
        before.set_token("rot-tenant", "tenant-token-1")
        before.set_workspace_token("rot-tenant", "w", "workspace-token-1")
        new = Fernet.generate_key()
        both = Credentials(db, new + b"," + old, operator_token="operator", simulated=False)
        assert both.token_for("rot-tenant", "w") == "workspace-token-1"  # the old key still decrypts
        assert both.rotate() >= 2
        only_new = Credentials(db, new, operator_token="operator", simulated=False)
        assert only_new.token_for("rot-tenant") == "tenant-token-1"
        assert only_new.token_for("rot-tenant", "w") == "workspace-token-1"
        assert only_new.token_for("rot-tenant", "other") == "tenant-token-1"  # no own project: the tenant's
        stale = Credentials(db, old, operator_token="operator", simulated=False)
        try:
            stale.token_for("rot-tenant", "w")
        except RuntimeError as exc:
            assert "cannot be decrypted" in str(exc) and "workspace-token-1" not in str(exc)
        else:
            raise AssertionError("a dropped key still decrypted a rotated token")
    finally:
        db.close()


def test_a_change_made_by_another_process_is_seen_within_a_second(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url, max_size=2)
    try:
        key = load_key("", tmp_path)
        service_side = Credentials(db, key, operator_token="operator", simulated=False)
        cli_side = Credentials(db, key, operator_token="operator", simulated=False)
        assert service_side.token_for("gen-tenant", "w") == "operator"
        cli_side.set_workspace_token("gen-tenant", "w", "rotated-token")
        time.sleep(FRESHNESS_SECONDS)
        assert service_side.token_for("gen-tenant", "w") == "rotated-token"
        cli_side.clear_workspace_token("gen-tenant", "w")
        time.sleep(FRESHNESS_SECONDS)
        assert service_side.token_for("gen-tenant", "w") == "operator"
    finally:
        db.close()


def test_keys_rotate_from_the_cli(service: Service) -> None:
    rotated = cli("keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert "re-encrypted with the newest service key" in rotated.stdout
