"""Managed Prometheus (issue 19): `managed: amp` on AWS (a workspace with the platform key, protected in prod,
remote write with SigV4 through a role that may only write to it) and `managed: gmp` on GCP."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, stack_platform
from crd_helpers import crd_schemas, schema_errors
from observability_helpers import run, write_rules
from upstream_helpers import missing_keys

from aiplatform.check.runner import check_plan
from aiplatform.offline import reveal
from aiplatform.testing import kubernetes_manifests, plan_project

RELEASE = "kubernetes:helm.sh/v3:Release"
WORKSPACE = "aws:amp/workspace:Workspace"


def _managed(stack: str, managed: str) -> dict:
    raw = stack_platform(stack)
    raw.setdefault("observability", {})["managed"] = managed
    return raw


@pytest.fixture(scope="module")
def amp_prod():
    return plan_project(ROOT, "aws-prod", mode="up",
                        config_overrides={"aiplatform:platform": _managed("aws-prod", "amp")})


def _release(plan, chart):
    (release,) = [r for r in plan.of_type(RELEASE) if reveal(r.inputs)["chart"] == chart]
    return reveal(release.inputs)


def test_amp_workspace_is_encrypted_with_the_platform_key_and_protected_in_prod(amp_prod):
    (workspace,) = amp_prod.of_type(WORKSPACE)
    inputs = reveal(workspace.inputs)
    (key,) = [r for r in amp_prod.of_type("aws:kms/key:Key") if r.name == "ml-prod-data"]
    assert inputs["kmsKeyArn"] == reveal(key.outputs)["arn"]
    assert key.urn in workspace.dependencies
    assert workspace.protect is True and workspace.retain_on_delete is True and inputs["alias"] == "ml-prod"


def test_amp_remote_write_is_sigv4_through_a_role_that_may_only_write_to_the_workspace(amp_prod):
    values = _release(amp_prod, "kube-prometheus-stack")["values"]
    (remote,) = values["prometheus"]["prometheusSpec"]["remoteWrite"]
    assert remote["sigv4"] == {"region": "us-east-1"}
    assert remote["url"].startswith("https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-")
    assert remote["url"].endswith("/api/v1/remote_write")
    assert values["prometheus"]["serviceAccount"]["name"] == "metrics-prometheus"
    (role,) = [r for r in amp_prod.of_type("aws:iam/role:Role") if r.name == "ml-prod-metrics-writer"]
    trust = json.dumps(json.loads(reveal(role.inputs)["assumeRolePolicy"]))
    if reveal(role.inputs)["assumeRolePolicy"].find("AssumeRoleWithWebIdentity") >= 0:  # IRSA
        assert values["prometheus"]["serviceAccount"]["annotations"] == {
            "eks.amazonaws.com/role-arn": reveal(role.outputs)["arn"]}
        assert "system:serviceaccount:monitoring:metrics-prometheus" in trust
    else:  # Pod Identity
        assert "monitoring" in trust and "metrics-prometheus" in trust
    assert missing_keys("kube-prometheus-stack", values) == []
    # the entry is a RemoteWriteSpec of the pinned operator's Prometheus CRD
    schema = crd_schemas()[("monitoring.coreos.com/v1", "Prometheus")]
    spec = schema["properties"]["spec"]["properties"]["remoteWrite"]["items"]
    assert schema_errors(spec, remote) == []
    assert schema_errors(spec, {**remote, "sigv4": {"regoin": "us-east-1"}})  # the schema is live
    (policy,) = [r for r in amp_prod.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == "ml-prod-metrics-writer"]
    document = json.loads(reveal(policy.inputs)["policy"])
    (workspace,) = amp_prod.of_type(WORKSPACE)
    assert document["Statement"] == [{"Sid": "G0MetricsWrite", "Effect": "Allow", "Action": ["aps:RemoteWrite"],
                                      "Resource": reveal(workspace.outputs)["arn"]}]
    assert check_plan(amp_prod).exit_code == 0


# ---- managed: gmp --------------------------------------------------------------------------------------------

GMP_KINDS = {"PodMonitoring", "ClusterRules", "Rules", "ClusterPodMonitoring"}


@pytest.fixture(scope="module")
def gmp_dev():
    return plan_project(ROOT, "gcp-dev", config_overrides={"aiplatform:platform": _managed("gcp-dev", "gmp")})


def test_gmp_uses_the_cluster_managed_collection_instead_of_an_in_cluster_prometheus(gmp_dev, tmp_path):
    charts = {reveal(r.inputs)["chart"]: reveal(r.inputs) for r in gmp_dev.of_type(RELEASE)}
    assert "kube-prometheus-stack" not in charts and "opencost" not in charts and "dcgm-exporter" not in charts
    (cluster,) = gmp_dev.of_type("gcp:container/cluster:Cluster")
    monitoring = reveal(cluster.inputs)["monitoringConfig"]
    assert monitoring["managedPrometheus"] == {"enabled": True} and "DCGM" in monitoring["enableComponents"]
    ksm = charts["kube-state-metrics"]
    assert missing_keys("kube-state-metrics", ksm["values"]) == []
    schemas = crd_schemas()
    custom = [m for _, m in kubernetes_manifests(gmp_dev, custom=True) if m["apiVersion"].startswith("monitoring.")]
    assert {m["kind"] for m in custom} == {"PodMonitoring", "ClusterRules"}
    assert not [m for m in custom if m["apiVersion"] == "monitoring.coreos.com/v1"]
    for manifest in custom:
        assert schema_errors(schemas[(manifest["apiVersion"], manifest["kind"])], manifest) == [], manifest["kind"]
    scraped = {(m["metadata"]["namespace"], m["metadata"]["name"]) for m in custom if m["kind"] == "PodMonitoring"}
    assert scraped == {("llm-gateway", "envoy-proxies"), ("monitoring", "kube-state-metrics")}
    (rules,) = [m for m in custom if m["kind"] == "ClusterRules"]
    path = write_rules(tmp_path / "platform.yaml", rules["spec"]["groups"])
    result = run("check", "rules", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {"GpuAllocatedIdle", "GatewayTeamThrottled"} <= {r.get("alert") for g in rules["spec"]["groups"]
                                                             for r in g["rules"]}
    report = check_plan(gmp_dev)
    assert report.exit_code == 0, [(f.rule, f.message) for f in report.blocking]
    assert not [d for d in gmp_dev.diagnostics if "managed DCGM" in str(d)]


def test_on_gke_the_in_cluster_prometheus_warns_that_gpu_panels_need_gmp(plans):
    warnings = [d for d in plans.preview["gcp-dev"].diagnostics if "managed DCGM" in str(d)]
    assert warnings and "observability.managed: gmp" in str(warnings[0])
    assert not [d for d in plans.preview["aws-dev"].diagnostics if "managed DCGM" in str(d)]
