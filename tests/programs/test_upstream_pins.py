"""Every plan against the upstream files of its pins (tests/data/upstream/, issue 16 "pins checked against
upstream"): Helm value keys exist in the pinned chart, custom resources validate against the pinned CRDs,
and a Neuron pool gets the Neuron device plugin."""

from __future__ import annotations

import pytest
from conftest import ALL_STACKS, PYTHON_EXAMPLES, ROOT, stack_platform
from crd_helpers import crd_schemas, schema_errors
from upstream_helpers import CHARTS, missing_keys

from aiplatform.offline import reveal
from aiplatform.testing import kubernetes_manifests, plan_project

RELEASE = "kubernetes:helm.sh/v3:Release"
TARGETS = [(kind, name, mode) for mode in ("preview", "up")
           for kind, names in (("stack", ALL_STACKS), ("example", PYTHON_EXAMPLES)) for name in names]


def _plan(plans, kind, name, mode):
    by_mode = plans.preview if mode == "preview" else plans.up
    return by_mode.example(name) if kind == "example" else by_mode[name]


@pytest.mark.parametrize(("kind", "name", "mode"), TARGETS, ids=lambda v: str(v))
def test_every_helm_release_is_a_pinned_vendored_chart_and_sets_only_keys_it_has(plans, kind, name, mode):
    releases = _plan(plans, kind, name, mode).of_type(RELEASE)
    if kind == "stack":
        assert releases, "a platform without Helm releases proves nothing"
    for release in releases:
        inputs = reveal(release.inputs)
        assert inputs["chart"] in CHARTS, f"{release.name}: chart {inputs['chart']} has no vendored values.yaml"
        pin, _ = CHARTS[inputs["chart"]]
        assert inputs["version"] == pin.version, f"{release.name}: not the pinned version"
        assert missing_keys(inputs["chart"], inputs.get("values") or {}) == [], (
            f"{release.name}: value keys absent from {inputs['chart']} {pin.version}'s values.yaml")


@pytest.mark.parametrize(("kind", "name", "mode"), TARGETS, ids=lambda v: str(v))
def test_every_custom_resource_validates_against_the_vendored_crds(plans, kind, name, mode):
    schemas = crd_schemas()  # Envoy Gateway's and Kueue's
    custom = kubernetes_manifests(_plan(plans, kind, name, mode), custom=True)
    assert custom, "every plan here creates Gateway API or Envoy Gateway objects"
    if kind == "stack":
        assert {m["kind"] for _, m in custom} >= {"ResourceFlavor", "ClusterQueue", "LocalQueue",
                                                   "WorkloadPriorityClass"}, "a platform with teams queues them"
    for resource, manifest in custom:
        key = (manifest["apiVersion"], manifest["kind"])
        assert key in schemas, f"{resource.name}: no vendored CRD serves {key}"
        assert schema_errors(schemas[key], manifest) == [], f"{resource.name} ({key[1]}) breaks its CRD"


def test_issue16_point6_a_neuron_pool_gets_the_neuron_device_plugin_on_neuron_nodes_only():
    platform = stack_platform("aws-dev")
    platform["gpu_pools"].append({"name": "inferentia", "instance_types": ["inf2.xlarge", "inf2.8xlarge"],
                                  "min_nodes": 0, "max_nodes": 2})
    plan = plan_project(ROOT, "aws-dev", config_overrides={"aiplatform:platform": platform})
    charts = {reveal(r.inputs)["chart"]: reveal(r.inputs) for r in plan.of_type(RELEASE)}
    neuron = charts["oci://public.ecr.aws/neuron/neuron-helm-chart"]
    assert neuron["values"]["neuronInstances"] == ["inf2.8xlarge", "inf2.xlarge"]
    plugin = neuron["values"]["devicePlugin"]
    assert plugin["nodeSelector"] == {"aiplatform.io/accelerator-vendor": "aws-neuron"}
    assert {"key": "aws.amazon.com/neuron", "operator": "Exists", "effect": "NoSchedule"} in plugin["tolerations"]
    assert missing_keys("oci://public.ecr.aws/neuron/neuron-helm-chart", neuron["values"]) == []
    # the NVIDIA pools keep theirs; the reference stack (no Neuron pool) gets no Neuron plugin
    assert "nvidia-device-plugin" in charts
    reference = {reveal(r.inputs)["chart"] for r in plan_project(ROOT, "aws-dev").of_type(RELEASE)}
    assert "oci://public.ecr.aws/neuron/neuron-helm-chart" not in reference
