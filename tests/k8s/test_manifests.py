"""The cluster manifests are valid Kubernetes objects and agree with the server's defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from latchlike.config import Settings

K8S = Path(__file__).resolve().parents[2] / "k8s"
KUBERNETES_VERSION = "1.33.0"


def objects() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"
            for doc in yaml.safe_load_all(path.read_text()) if doc]  # fmt: skip


def test_manifests_pass_strict_schema_validation() -> None:
    files = [str(p) for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", KUBERNETES_VERSION, *files],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (result.stdout + result.stderr).count(" passed for resource ") == len(objects())


def test_deployment_and_service_match_server_defaults() -> None:
    settings = Settings()
    by_kind = {doc["kind"]: doc for doc in objects()}
    container = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": settings.http_port, "grpc": settings.grpc_port}
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/health"
    assert {port["targetPort"] for port in by_kind["Service"]["spec"]["ports"]} == {"http", "grpc"}
    kustomized = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(kustomized) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def test_the_role_grants_every_call_the_executor_makes_on_pods() -> None:
    [role] = [doc for doc in objects() if doc["kind"] == "Role"]
    verbs = {verb for rule in role["rules"] if rule["resources"] == ["pods"] for verb in rule["verbs"]}
    assert verbs == {"create", "get", "list", "watch", "delete", "deletecollection"}
