"""Neuron metrics (issue 19): a Neuron pool gets AWS's neuron-monitor (pinned image, as upstream's DaemonSet) on its
nodes only, tolerating the Neuron taint and scraped by a PodMonitor; aip-observability-gpu-metrics counts it."""

from __future__ import annotations

import json

import kubernetes_validate
import pytest
import yaml
from conftest import ROOT, stack_platform
from crd_helpers import crd_schemas, schema_errors
from upstream_helpers import UPSTREAM

from aiplatform.catalog.pins import NEURON_MONITOR_IMAGE, NEURON_MONITOR_PORT
from aiplatform.check.runner import check_plan
from aiplatform.offline import reveal
from aiplatform.shape.plan import Plan
from aiplatform.testing import kubernetes_manifests, plan_project


@pytest.fixture(scope="module")
def neuron_plan():
    platform = stack_platform("aws-dev")
    platform["gpu_pools"].append({"name": "inferentia", "instance_types": ["inf2.xlarge", "inf2.8xlarge"],
                                  "min_nodes": 0, "max_nodes": 2})
    return plan_project(ROOT, "aws-dev", config_overrides={"aiplatform:platform": platform})


def _manifests(plan):
    return {(m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan)} | {
        (m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan, custom=True)}


def test_neuron_monitor_runs_upstreams_image_on_the_neuron_nodes_only(neuron_plan):
    manifests = _manifests(neuron_plan)
    daemon = manifests[("DaemonSet", "neuron-monitor")]
    kubernetes_validate.validate(daemon, "1.33", strict=True)
    upstream = yaml.safe_load((UPSTREAM / "aws-neuron-sdk-v2.32.0" / "k8s-neuron-monitor-daemonset.yml").read_text())
    (theirs,) = upstream["spec"]["template"]["spec"]["containers"]
    (ours,) = daemon["spec"]["template"]["spec"]["containers"]
    assert ours["image"] == theirs["image"] == NEURON_MONITOR_IMAGE
    assert (ours["command"], ours["args"]) == (theirs["command"], theirs["args"])
    assert ours["ports"] == [{"name": "metrics", "containerPort": NEURON_MONITOR_PORT}]
    assert theirs["ports"] == [{"containerPort": NEURON_MONITOR_PORT}]
    pod = daemon["spec"]["template"]["spec"]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchExpressions": [{"key": "aiplatform.io/accelerator-vendor", "operator": "In",
                                            "values": ["aws-neuron"]}]}]
    # it tolerates every taint of the Neuron pool's nodes
    (group,) = [r for r in neuron_plan.of_type("aws:eks/nodeGroup:NodeGroup") if r.name.endswith("inferentia")]
    labels = reveal(group.inputs)["labels"]
    assert labels["aiplatform.io/accelerator-vendor"] == "aws-neuron"
    taints = reveal(group.inputs)["taints"]
    assert {t["key"] for t in taints} >= {"aws.amazon.com/neuron"}
    for taint in taints:
        assert any(t["key"] == taint["key"] and t["operator"] == "Exists" for t in pod["tolerations"]), taint
    monitor = manifests[("PodMonitor", "neuron-monitor")]
    assert schema_errors(crd_schemas()[("monitoring.coreos.com/v1", "PodMonitor")], monitor) == []
    assert monitor["spec"]["selector"]["matchLabels"].items() <= daemon["spec"]["template"]["metadata"]["labels"].items()
    assert monitor["metadata"]["namespace"] == daemon["metadata"]["namespace"] == "neuron-monitor"


def test_gpu_metrics_rule_counts_neuron_monitor_for_neuron_pools(neuron_plan):
    assert "aip-observability-gpu-metrics" not in {f.rule for f in check_plan(neuron_plan).blocking}
    data = json.loads(neuron_plan.to_json())
    data["resources"] = [r for r in data["resources"] if r["type"] != "kubernetes:apps/v1:DaemonSet"
                         or r["inputs"]["metadata"]["name"] != "neuron-monitor"]
    findings = [f for f in check_plan(Plan.from_json(json.dumps(data))).blocking
                if f.rule == "aip-observability-gpu-metrics"]
    assert [f.message for f in findings] == [
        "ml-dev-inferentia runs AWS Neuron accelerators but the stack collects no Neuron metrics (no neuron-monitor "
        "DaemonSet)"]


def test_reference_stacks_without_neuron_pools_have_no_neuron_monitor(plans):
    assert not [r for r in plans.preview["aws-dev"].of_type("kubernetes:apps/v1:DaemonSet")
                if reveal(r.inputs)["metadata"]["name"] == "neuron-monitor"]
