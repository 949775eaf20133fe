"""deploy/: the Kubernetes manifests validate against the Kubernetes schemas (kubernetes-validate, which
ships them) and fit the service (the commands they run exist, the secrets they read are the ones the
service needs, the probes are its health routes); the alert rules and the Grafana dashboard name only
metrics the service exports, and the rules pass their sample series where promtool is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from secapi_hetzner import metrics
from secapi_hetzner.cli import parser
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
KUBERNETES_VERSION = "1.30.0"
#: metrics only PostgreSQL knows, exported at scrape by app/metrics_exporter.py
EXPORTER_METRICS = {"seca_operations", "seca_operation_oldest_due_seconds", "seca_hetzner_budget_remaining"}
NEEDED_SECRETS = {"DATABASE_URL", "HCLOUD_TOKEN", "SECA_SECRET_KEY"}


def manifests() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers", []))


@pytest.mark.parametrize(("name", "doc"), manifests(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_manifest_validates_against_the_kubernetes_schema(name: str, doc: dict[str, Any]) -> None:
    if doc["apiVersion"].startswith("monitoring.coreos.com/"):  # a CRD: no Kubernetes schema; checked below
        return
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_manifests_fit_the_service() -> None:
    docs = manifests()
    kinds = sorted(doc["kind"] for _, doc in docs)
    assert kinds == ["Deployment", "Deployment", "Job", "PodDisruptionBudget", "PodDisruptionBudget", "Secret",
                     "Service", "ServiceMonitor"]
    [secret] = [doc for _, doc in docs if doc["kind"] == "Secret"]
    assert set(secret["stringData"]) == NEEDED_SECRETS
    commands = parser()
    for _, doc in docs:
        for container in containers(doc):
            commands.parse_args(container["args"])  # a command or flag the CLI does not know fails here
            refs = {e["valueFrom"]["secretKeyRef"]["key"] for e in container.get("env", []) if "valueFrom" in e}
            assert refs <= NEEDED_SECRETS and "DATABASE_URL" in refs
            if doc["kind"] == "Deployment":
                assert "--no-migrate" in container["args"]  # the Job migrates, once per rollout
                assert container["resources"]["requests"] and container["securityContext"]
    [job] = [doc for _, doc in docs if doc["kind"] == "Job"]
    assert containers(job)[0]["args"] == ["migrate"]
    [api] = [doc for _, doc in docs if doc["kind"] == "Deployment"
             and doc["metadata"]["labels"]["app.kubernetes.io/component"] == "api"]
    probes = containers(api)[0]
    assert probes["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert probes["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = {e["name"]: e.get("value") for e in probes["env"]}
    assert env["SECA_INPROCESS_WORKER"] == "0" and env["SECA_METRICS_PORT"]
    [service] = [doc for _, doc in docs if doc["kind"] == "Service"]
    [monitor] = [doc for _, doc in docs if doc["kind"] == "ServiceMonitor"]
    assert {e["port"] for e in monitor["spec"]["endpoints"]} <= {p["name"] for p in service["spec"]["ports"]}
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()


def exported() -> set[str]:
    names = set(EXPORTER_METRICS)
    for value in vars(metrics).values():
        if not isinstance(value, MetricWrapperBase):
            continue
        for family in value.describe():
            names.add(family.name)
            names.update({f"{family.name}_total", f"{family.name}_bucket", f"{family.name}_count",
                          f"{family.name}_sum"})
    return names


def used(text: str) -> set[str]:
    return set(re.findall(r"\bseca_[a-z_]+", text))


def test_alerts_and_dashboard_name_exported_metrics_only() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text())
    names = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert names == {"SecaErrorRateHigh", "SecaLatencyP99High", "HetznerBudgetNearlySpent", "SecaOperationStuck",
                     "SecaDriftFound"}
    dashboard = json.loads((DEPLOY / "grafana" / "secapi-hetzner.json").read_text())
    expressions = " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    for text in (yaml.safe_dump(rules), expressions):
        assert used(text) and used(text) <= exported(), used(text) - exported()


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) is not "
                    "installed here; the rules' sample series are in deploy/prometheus/alerts.test.yaml")
def test_alert_rules_fire_on_their_sample_series() -> None:
    run = subprocess.run(["promtool", "test", "rules", "alerts.test.yaml"], cwd=DEPLOY / "prometheus",
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerfile_runs_what_the_manifests_expect() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "EXPOSE 8080 9100" in dockerfile and "--uid 10001" in dockerfile
    docs = manifests()
    assert all(c["image"].endswith(":1.0.0") for _, doc in docs for c in containers(doc))


def test_production_guide_is_where_the_readme_says() -> None:
    assert (ROOT / "docs" / "operations.md").exists()
    assert "docs/operations.md" in (ROOT / "README.md").read_text()
    assert Path(DEPLOY / "kubernetes").is_dir()
