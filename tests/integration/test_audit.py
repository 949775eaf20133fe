"""The audit trail over HTTP: mutations and denials are recorded with who, what, the outcome and where from;
reads are not; the table refuses changes; no token is ever in it; the CLI shows it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import psycopg
import pytest

from secapi_hetzner.app.services import current
from tests.conftest import ROOT, TENANT, Service

WORKSPACES = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces"


def entries(**where: Any) -> list[dict[str, Any]]:
    rows = current().db.all_sql("SELECT * FROM audit_log ORDER BY id")
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def test_mutations_and_denials_are_recorded_reads_are_not(service: Service) -> None:
    assert service.put(f"{WORKSPACES}/audited", {"spec": {}}).status_code == 201
    assert service.get(f"{WORKSPACES}/audited").status_code == 200
    token = current().tokens.issue(TENANT, label="audit-outsider", subject="outsider")
    with httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {token}"}, timeout=20) as outsider:
        assert outsider.delete(f"{WORKSPACES}/audited").status_code == 403
        assert outsider.get(f"{WORKSPACES}/audited").status_code == 403
    assert service.put(f"{WORKSPACES}/audited", {"spec": {}}, headers={"if-unmodified-since": "99"}).status_code == 412
    assert service.delete(f"{WORKSPACES}/audited").status_code == 202

    path = f"/providers/seca.workspace/v1/tenants/{TENANT}/workspaces/audited"
    mine = entries(path=path)
    assert [(e["subject"], e["method"], e["status"]) for e in mine] == [
        ("admin", "PUT", 201), ("outsider", "DELETE", 403), ("outsider", "GET", 403), ("admin", "PUT", 412),
        ("admin", "DELETE", 202)]
    assert all(e["tenant"] == TENANT and e["source"] == "127.0.0.1" and len(e["correlation"]) == 32 for e in mine)
    assert "outsider" in mine[1]["detail"] and mine[1]["operation"] == "deleteWorkspace"
    assert "resourceVersion" in mine[3]["detail"]  # why it was refused


def test_a_denied_catalog_read_is_recorded_too(service: Service) -> None:
    """Catalog reads are served from memory on the event loop (handlers/_catalog.py): their denials are
    audited all the same, and a subject whose rules were read a second ago is still decided on them."""
    skus = f"/providers/seca.compute/v1/tenants/{TENANT}/skus"
    token = current().tokens.issue(TENANT, label="audit-catalog", subject="catalog-outsider")
    with httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {token}"}, timeout=20) as outsider:
        assert service.get(skus).status_code == 200  # the tenant's rules are now fresh in this process
        denied = outsider.get(skus)
        assert denied.status_code == 403 and "catalog-outsider" in denied.json()["detail"]
        assert outsider.get(f"{skus}/cx23").status_code == 403
    assert [(e["subject"], e["operation"], e["status"]) for e in entries(subject="catalog-outsider")] == [
        ("catalog-outsider", "listSkus", 403), ("catalog-outsider", "getSku", 403)]


def test_a_knock_from_another_tenant_is_recorded_in_the_tenant_it_knocked_on(service: Service) -> None:
    token = current().tokens.issue("elsewhere", label="audit-knock")
    with httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {token}"}, timeout=20) as other:
        assert other.put(f"{WORKSPACES}/knock", json={"spec": {}}).status_code == 403
    [knock] = entries(path=f"{WORKSPACES}/knock")
    assert (knock["tenant"], knock["subject"], knock["status"]) == (TENANT, "admin@elsewhere", 403)


def test_the_trail_is_append_only_and_holds_no_token(service: Service) -> None:
    assert service.put(f"{WORKSPACES}/trail", {"spec": {}}).status_code == 201
    with psycopg.connect(current().settings.database_url, autocommit=True) as conn:
        for statement in ("UPDATE audit_log SET status = 200", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
        dump = " ".join(str(row) for row in conn.execute("SELECT * FROM audit_log").fetchall())
    assert service.token not in dump and service.token.removeprefix("seca_")[:16] not in dump


def test_the_cli_shows_the_latest_entries(service: Service) -> None:
    assert service.put(f"{WORKSPACES}/shown", {"spec": {}}).status_code == 201
    env = {k: v for k, v in os.environ.items() if k not in ("HCLOUD_TOKEN", "SECA_SECRET_KEY")}
    env.update(DATABASE_URL=current().settings.database_url, SECA_DATA_DIR=str(current().settings.data_dir))
    shown = subprocess.run([sys.executable, "-m", "secapi_hetzner.cli", "audit", "--tenant", TENANT, "--limit", "1"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    [line] = shown.stdout.splitlines()
    assert "PUT" in line and "201" in line and f"{WORKSPACES}/shown" in line and "admin" in line
