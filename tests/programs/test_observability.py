"""Observability in every plan: the metrics stack, GPU metrics, scraped model servers and Envoy, rule groups
that promtool accepts; the two observability rules fail on their mutations."""

from __future__ import annotations

import json

import pytest
from conftest import ALL_STACKS, PYTHON_EXAMPLES, ROOT, stack_platform
from observability_helpers import run, write_rules

from aiplatform.check.runner import check_plan
from aiplatform.offline import reveal
from aiplatform.shape.plan import Plan
from aiplatform.testing import plan_project

RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def _charts(plan) -> dict[str, dict]:
    return {reveal(r.inputs)["chart"]: reveal(r.inputs) for r in plan.of_type(RELEASE)}


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_every_stack_plans_the_metrics_stack_gpu_metrics_rules_and_dashboards(plans, stack):
    plan = plans.preview[stack]
    charts = _charts(plan)
    values = charts["kube-prometheus-stack"]["values"]
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["retention"] == ("30d" if stack.endswith("prod") else "7d")
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == ("200Gi" if stack.endswith("prod") else "50Gi")
    assert values["prometheus"]["service"]["type"] == "ClusterIP"
    if stack.startswith("aws"):
        assert "dcgm-exporter" in charts
    else:  # GKE's managed DCGM
        cluster = plan.of_type("gcp:container/cluster:Cluster")[0]
        assert "DCGM" in reveal(cluster.inputs)["monitoringConfig"]["enableComponents"]
        assert "dcgm-exporter" not in charts
    dashboards = [r for r in plan.of_type("kubernetes:core/v1:ConfigMap")
                  if reveal(r.inputs)["metadata"]["labels"].get("grafana_dashboard") == "1"]
    assert len(dashboards) == 4
    assert [reveal(r.inputs)["metadata"]["namespace"] for r in plan.of_type(POD_MONITOR)] == ["llm-gateway"]
    assert plan.of_type(RULE)
    namespaces = [r for r in plan.of_type("kubernetes:core/v1:Namespace")
                  if reveal(r.inputs)["metadata"]["name"] == "monitoring"]
    assert [r.protect for r in namespaces] == [stack.endswith("prod")]


@pytest.mark.parametrize("name", PYTHON_EXAMPLES)
def test_every_example_model_server_is_scraped_and_has_slo_alerts(plans, name):
    plan = plans.preview.example(name)
    servers = [r for r in plan.of_type(DEPLOYMENT) if "nvidia.com/gpu" in json.dumps(reveal(r.inputs))]
    monitors = {reveal(r.inputs)["metadata"]["name"] for r in plan.of_type(SERVICE_MONITOR)}
    rules = {reveal(r.inputs)["metadata"]["name"] for r in plan.of_type(RULE)}
    assert servers
    for server in servers:
        server_name = reveal(server.inputs)["metadata"]["name"]
        assert server_name in monitors and f"{server_name}-slo" in rules


def _targets(plans):
    return [plans.preview[s] for s in ALL_STACKS] + [plans.preview.example(e) for e in PYTHON_EXAMPLES]


def test_promtool_accepts_every_rule_group_of_every_plan(plans, tmp_path):
    count = 0
    for index, plan in enumerate(_targets(plans)):
        for rule in plan.of_type(RULE):
            groups = reveal(rule.inputs)["spec"]["groups"]
            path = write_rules(tmp_path / f"{index}-{rule.name}.yaml", groups)
            result = run("check", "rules", str(path), cwd=tmp_path)
            assert result.returncode == 0, f"{rule.name}: {result.stdout}{result.stderr}"
            count += 1
    assert count >= len(ALL_STACKS) + len(PYTHON_EXAMPLES)


def test_no_gpu_metrics_fails_aip_observability_gpu_metrics():
    config = stack_platform("aws-dev")
    config["observability"] = {"enabled": False}
    report = check_plan(plan_project(ROOT, "aws-dev", config_overrides={"aiplatform:platform": config}))
    assert {f.rule for f in report.blocking} == {"aip-observability-gpu-metrics"}
    assert report.exit_code == 1


def test_an_unscraped_gpu_deployment_fails_aip_observability_service_monitored(plans):
    data = json.loads(plans.preview.example("team-chat-service").to_json())  # a copy
    data["resources"] = [r for r in data["resources"] if r["type"] != SERVICE_MONITOR]
    report = check_plan(Plan.from_json(json.dumps(data)))
    assert {f.rule for f in report.blocking} == {"aip-observability-service-monitored"}
    assert any("no ServiceMonitor or PodMonitor scrapes it" in f.message for f in report.blocking)


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_opencost_reads_the_platform_prometheus_with_the_catalog_prices(plans, stack):
    from aiplatform.config import load_platform_config

    values = _charts(plans.preview[stack])["opencost"]["values"]["opencost"]
    assert values["prometheus"]["internal"] == {"enabled": True, "serviceName": "metrics-prometheus",
                                                "namespaceName": "monitoring", "port": 9090}
    prices = values["customPricing"]["costModel"]
    assert prices == load_platform_config(stack_platform(stack)).opencost_prices
    assert float(prices["GPU"]) > float(prices["CPU"]) > float(prices["RAM"]) > 0 and float(prices["storage"]) > 0


def _cost(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "aiplatform.cli", "cost", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


def test_cost_actual_compares_the_recorded_allocation_and_exits_2_on_a_malformed_one():
    data = ROOT / "tests" / "data" / "opencost"
    result = _cost("--stack", "aws-prod", "--actual", str(data / "allocation-aws-prod-7d.json"), "-f", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    teams = {r["name"]: r for r in out["teams"]}
    assert {"search", "assistants", "__idle__", "ml-platform"} <= set(teams)
    assert teams["search"]["difference"] == round(teams["search"]["actual"] - teams["search"]["estimate"], 2)
    assert {r["name"] for r in out["components"]} >= {"nodes", "persistent volumes", "load balancers",
                                                        "outside the cluster"}
    text = _cost("--stack", "aws-prod", "--actual", str(data / "allocation-aws-prod-7d.json"))
    assert text.returncode == 0 and "plan estimate (expected) vs OpenCost (168 h" in text.stdout
    bad = _cost("--stack", "aws-prod", "--actual", str(data / "allocation-malformed.json"))
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert "data[0].search.totalCost: required: a number" in bad.stderr
    missing = _cost("--stack", "aws-prod", "--actual", str(data / "nope.json"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_alert_receivers_route_severities_and_their_urls_stay_secret(tmp_path):
    import shutil

    import yaml

    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "stacks" / "Pulumi.aws-prod.yaml"
    data = yaml.safe_load(path.read_text())
    data["config"]["aiplatform:platform"]["observability"] = {"alert_receivers": [
        {"name": "oncall", "kind": "pagerduty", "url_config_key": "aiplatform:pagerDutyKey", "severities": ["critical"]},
        {"name": "chat", "kind": "slack", "url_config_key": "aiplatform:slackUrl"},
    ]}
    data["config"]["aiplatform:pagerDutyKey"] = {"secure": "v1:bm90LWEtcmVhbC1jaXBoZXJ0ZXh0"}
    data["config"]["aiplatform:slackUrl"] = {"secure": "v1:YWxzby1ub3QtcmVhbA=="}
    path.write_text(yaml.safe_dump(data))
    plan = plan_project(tmp_path, "aws-prod")
    (release,) = [r for r in plan.of_type(RELEASE) if reveal(r.inputs)["chart"] == "kube-prometheus-stack"]
    from aiplatform.shape.props import is_secret

    assert is_secret(release.inputs["values"]["alertmanager"]["config"])
    config = reveal(release.inputs)["values"]["alertmanager"]["config"]
    receivers = {r["name"]: r for r in config["receivers"]}
    assert set(receivers) == {"null", "oncall", "chat"}
    assert "routing_key" in receivers["oncall"]["pagerduty_configs"][0]
    assert "api_url" in receivers["chat"]["slack_configs"][0]
    routes = {r["receiver"]: r["matchers"] for r in config["route"]["routes"]}
    assert routes["oncall"] == ['severity =~ "critical"'] and routes["chat"] == ['severity =~ "critical|warning"']
    # the check prints no secret
    assert "v1:bm90" not in plan.to_json()
