"""GKE Managed Prometheus objects of a model server (`InferenceService(metrics_api="gmp")`): a PodMonitoring and
Rules that validate against prometheus-engine's CRDs, and that aip-observability-service-monitored accepts."""

from __future__ import annotations

import json

import pytest
from crd_helpers import crd_schemas, schema_errors

from aiplatform.check.runner import check_plan
from aiplatform.components.kubernetes import InferenceService
from aiplatform.offline import PlanInputError
from aiplatform.shape.plan import Plan
from aiplatform.testing import kubernetes_manifests, plan_program

SERVICE = {
    "team": "search", "namespace": "search", "service_account": "workloads", "registry_uri": "gs://models",
    "model": "chat/llama-3.1-8b-instruct/v1", "accelerator": "L4", "gpus": 1,
    "labels": {"team": "search", "cost-center": "cc-1", "environment": "dev"}, "metrics_api": "gmp",
    "prometheus_url": "http://frontend.monitoring.svc:9090",
}


@pytest.fixture(scope="module")
def plan():
    return plan_program(lambda: InferenceService("chat", SERVICE), mode="up")


def test_a_gmp_model_server_gets_a_pod_monitoring_and_rules_that_fit_the_crds(plan):
    custom = {m["kind"]: m for _, m in kubernetes_manifests(plan, custom=True)}
    assert "ServiceMonitor" not in custom and "PrometheusRule" not in custom
    monitoring, rules = custom["PodMonitoring"], custom["Rules"]
    schemas = crd_schemas()
    for manifest in (monitoring, rules):
        assert manifest["apiVersion"] == "monitoring.googleapis.com/v1"
        assert schema_errors(schemas[(manifest["apiVersion"], manifest["kind"])], manifest) == []
    (endpoint,) = monitoring["spec"]["endpoints"]
    assert endpoint["port"] == "http" and endpoint["path"] == "/metrics"
    # the series carry the Service's name, as the Prometheus Operator's would: the SLO rules select on it
    assert {"action": "replace", "targetLabel": "service", "replacement": "chat"} in endpoint["metricRelabeling"]
    assert monitoring["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "chat"
    alerts = {r["alert"] for g in rules["spec"]["groups"] for r in g["rules"] if "alert" in r}
    assert {"InferenceTtftBudgetBurnFast", "InferenceTargetDown"} <= alerts
    assert rules["metadata"]["namespace"] == "search"
    # a CRD the objects break is seen: GMP endpoints need a port
    broken = {**monitoring, "spec": {**monitoring["spec"], "endpoints": [{"path": "/metrics", "interval": "30s"}]}}
    assert schema_errors(schemas[("monitoring.googleapis.com/v1", "PodMonitoring")], broken)


def test_service_monitored_accepts_pod_monitoring_and_rules_and_fails_without_them(plan):
    assert "aip-observability-service-monitored" not in {f.rule for f in check_plan(plan).blocking}
    data = json.loads(plan.to_json())
    data["resources"] = [r for r in data["resources"] if not r["type"].endswith(":PodMonitoring")]
    findings = check_plan(Plan.from_json(json.dumps(data))).blocking
    assert any(f.rule == "aip-observability-service-monitored" and "no ServiceMonitor or PodMonitor" in f.message
               for f in findings)
    data = json.loads(plan.to_json())
    data["resources"] = [r for r in data["resources"] if not r["type"].endswith(":Rules")]
    findings = check_plan(Plan.from_json(json.dumps(data))).blocking
    assert any(f.rule == "aip-observability-service-monitored" and "no SLO alert rule" in f.message for f in findings)


def test_an_unknown_metrics_api_is_refused():
    with pytest.raises(PlanInputError, match="metrics_api: must be prometheus-operator or gmp"):
        plan_program(lambda: InferenceService("chat", {**SERVICE, "metrics_api": "datadog"}))


def test_a_gmp_model_server_names_the_prometheus_its_scaler_queries():
    """KEDA's Prometheus trigger needs a query API; in gmp mode there is no in-cluster Prometheus at the default."""
    service = {k: v for k, v in SERVICE.items() if k != "prometheus_url"}
    with pytest.raises(PlanInputError, match="prometheus_url: required with metrics_api gmp"):
        plan_program(lambda: InferenceService("chat", service))


def test_the_scaler_of_a_gmp_model_server_queries_the_given_prometheus(plan):
    (scaled,) = [m for _, m in kubernetes_manifests(plan, custom=True) if m["kind"] == "ScaledObject"]
    addresses = {t["metadata"].get("serverAddress") for t in scaled["spec"]["triggers"] if t["type"] == "prometheus"}
    assert addresses == {"http://frontend.monitoring.svc:9090"}
