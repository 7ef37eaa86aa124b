"""Serving over every plan (issue 20): no CPU autoscaler on an accelerator workload, every ScaledObject on metrics
vLLM v0.11.1 emits, KEDA on the platforms with teams, the chat example at zero in dev within its route timeout."""

from __future__ import annotations

import re

import pytest
from conftest import ALL_STACKS, PYTHON_EXAMPLES
from plan_helpers import manifests_by_kind_and_name
from upstream_helpers import UPSTREAM

from aiplatform.catalog import pins
from aiplatform.offline import reveal
from aiplatform.testing import kubernetes_manifests

TARGETS = [("stack", s) for s in ALL_STACKS] + [("example", e) for e in PYTHON_EXAMPLES]
ACCELERATORS = ("nvidia.com/gpu", "aws.amazon.com/neuron")


def _plan(plans, kind, name):
    return plans.preview.example(name) if kind == "example" else plans.preview[name]


def _emitted() -> set[str]:
    out = set()
    for line in (UPSTREAM / "vllm-0.11.1" / "metrics.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, kind, *rest = line.split()
            if "hidden" not in rest:
                out |= {f"{name}_total"} if kind == "counter" else (
                    {f"{name}_bucket", f"{name}_sum", f"{name}_count"} if kind == "histogram" else {name})
    return out


@pytest.mark.parametrize(("kind", "name"), TARGETS, ids=lambda v: str(v))
def test_no_cpu_autoscaler_on_accelerators_and_every_scaled_object_reads_vllm_metrics(plans, kind, name):
    plan = _plan(plans, kind, name)
    objects = manifests_by_kind_and_name(plan)
    accelerated = {n for (k, n), m in objects.items() if k in ("Deployment", "StatefulSet") and any(
        r in (c.get("resources", {}).get("limits") or {}) for c in m["spec"]["template"]["spec"]["containers"]
        for r in ACCELERATORS)}
    for (k, n), manifest in objects.items():
        if k == "HorizontalPodAutoscaler":
            assert manifest["spec"]["scaleTargetRef"]["name"] not in accelerated, f"CPU HPA on {n}"
    emitted = _emitted()
    scaled = {m["spec"]["scaleTargetRef"]["name"]: m for (k, _), m in objects.items() if k == "ScaledObject"}
    for target, manifest in scaled.items():
        for trigger in manifest["spec"]["triggers"]:
            if trigger["type"] == "prometheus":
                used = set(re.findall(r"vllm:[a-z_]+", trigger["metadata"]["query"]))
                assert used and used <= emitted, f"{target}: {used - emitted}"
    assert accelerated <= set(scaled) or kind == "stack", "every model server of an example scales with KEDA"


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_platforms_with_teams_run_keda_and_the_http_add_on_on_system_nodes(plans, stack):
    plan = plans.preview[stack]
    releases = {reveal(r.inputs)["chart"]: reveal(r.inputs) for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    assert releases["keda"]["version"] == pins.KEDA.version
    assert releases["keda-add-ons-http"]["version"] == pins.KEDA_HTTP_ADD_ON.version
    assert releases["keda"]["values"]["nodeSelector"]  # the system nodes
    grants = [m for _, m in kubernetes_manifests(plan, custom=True) if m["kind"] == "ReferenceGrant"]
    teams = {m["metadata"]["name"] for _, m in kubernetes_manifests(plan) if m["kind"] == "NetworkPolicy"
             and m["metadata"]["name"] == "allow-from-autoscaler"}
    assert grants and teams


def test_chat_example_sits_at_zero_in_dev_with_its_cold_start_under_the_route_timeout(plans):
    plan = plans.preview.example("team-chat-service")
    objects = manifests_by_kind_and_name(plan)
    assert objects[("ScaledObject", "chat")]["spec"]["minReplicaCount"] == 0
    http = objects[("HTTPScaledObject", "chat")]["spec"]
    cold = int(objects[("Deployment", "chat")]["metadata"]["annotations"]["aiplatform.io/cold-start-seconds"])
    assert http["timeouts"]["conditionWait"] == f"{cold}s"
    (rule,) = objects[("HTTPRoute", "chat")]["spec"]["rules"]
    assert cold < int(rule["timeouts"]["request"].removesuffix("s"))
    assert rule["backendRefs"][0]["namespace"] == "keda"
    assert reveal(plan.outputs)["coldStartSeconds"] == cold


def test_the_plan_summary_shows_each_services_cold_start_and_replicas(plans):
    from rich.console import Console

    from aiplatform.offline.render import render_text

    plan = plans.preview.example("team-chat-service")
    console = Console(record=True, width=160)
    render_text(plan, console)
    text = console.export_text()
    cold = manifests_by_kind_and_name(plan)[("Deployment", "chat")]["metadata"]["annotations"][
        "aiplatform.io/cold-start-seconds"]
    assert f"Deployment search/chat  coldStart={cold}s" in text
    assert "spec.minReplicaCount=0" in text
