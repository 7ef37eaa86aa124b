"""aip-serving-cold-start-budget: a baseline and its mutations, by hand and through InferenceService."""

from __future__ import annotations

import copy

import pytest
from guardrail_helpers import check, resource, rules_hit

from aiplatform.check.runner import check_plan
from aiplatform.components.kubernetes import InferenceService
from aiplatform.guardrails.rules.serving import duration_seconds
from aiplatform.shape.props import UNKNOWN
from aiplatform.testing import plan_program

RULE = "aip-serving-cold-start-budget"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SCALED = "kubernetes:keda.sh/v1alpha1:ScaledObject"
ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
SERVICE = "kubernetes:core/v1:Service"
LABELS = {"app.kubernetes.io/name": "chat"}


def deployment(annotations=None, image="vllm/vllm-openai:v0.11.1"):
    return resource(DEPLOYMENT, "chat", {"metadata": {"name": "chat", "namespace": "search",
                                                      "annotations": annotations or {}},
                                         "spec": {"template": {"metadata": {"labels": LABELS}, "spec": {
                                             "nodeSelector": {"aiplatform.io/accelerator": "L4"},
                                             "containers": [{"name": "server", "image": image, "resources": {
                                                 "limits": {"nvidia.com/gpu": "1"}}}]}}}})


def scaled(low=0.0):
    return resource(SCALED, "chat-scaler", {"metadata": {"name": "chat", "namespace": "search"}, "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "chat"}, "minReplicaCount": low}})


def service():
    return resource(SERVICE, "chat", {"metadata": {"name": "chat", "namespace": "search"},
                                      "spec": {"selector": LABELS}})


def route(timeout="900s", interceptor=False):
    rule = {"backendRefs": [{"name": "chat", "port": 8000.0}], "timeouts": {"request": timeout}}
    if interceptor:
        rule = {"backendRefs": [{"name": "keda-add-ons-http-interceptor-proxy", "namespace": "keda", "port": 8080.0}],
                "filters": [{"type": "URLRewrite", "urlRewrite": {"hostname": "chat.search.svc"}}],
                "timeouts": {"request": timeout}}
    return resource(ROUTE, "chat-route", {"metadata": {"name": "chat", "namespace": "search"}, "spec": {"rules": [rule]}})


BASE = (deployment({"aiplatform.io/model-size-gib": "15"}), scaled(), service(), route())


def hits(*resources, config=None):
    return RULE in rules_hit(check(*resources, config=config))


def test_baseline_within_the_route_timeout_passes():
    assert not hits(*BASE)


@pytest.mark.parametrize("mutation", [
    lambda rs: [*rs[:3], route("60s")],
    lambda rs: [*rs[:3], route("1m", interceptor=True)],
    lambda rs: [deployment({"aiplatform.io/model-size-gib": "15", "aiplatform.io/client-timeout-seconds": "60"}),
                *rs[1:]],
    lambda rs: [deployment({"aiplatform.io/model-size-gib": "900"}), *rs[1:]],  # weights alone: 900 s
])
def test_a_budget_over_a_timeout_fails(mutation):
    assert hits(*mutation(list(BASE)))


@pytest.mark.parametrize("resources", [
    [BASE[0], scaled(1.0), service(), route("60s")],  # never at zero
    [BASE[0], scaled(UNKNOWN), service(), route("60s")],  # unknown: skipped
    [deployment({"aiplatform.io/model-size-gib": UNKNOWN}), *BASE[1:3], route("60s")],
])
def test_not_at_zero_or_unknown_passes(resources):
    assert not hits(*resources)


def test_node_provisioning_can_be_left_out_by_config():
    resources = [*BASE[:3], route("400s")]  # 300 node + 123 image + 15 weights + 90 start = 528
    assert hits(*resources)
    assert not hits(*resources, config={RULE: {"countNodeProvisioning": False}})


def test_durations():
    assert [duration_seconds(v) for v in ("300s", "5m", "1h2m3s", "500ms", "x", 3)] == [300, 300, 3723, 0.5, None,
                                                                                     None]


def test_a_70b_model_at_zero_with_a_60s_client_timeout_fails_with_the_parts_in_the_message():
    service_args = {
        "team": "search", "namespace": "search", "service_account": "workloads", "registry_uri": "s3://models",
        "model": "chat/llama-3.1-70b-instruct/v1", "accelerator": "L4", "gpus": 4, "labels": {"team": "search"},
        "min_replicas": 0, "parameters_billion": 70, "client_timeout": 60,
        "gateway": {"namespace": "llm-gateway", "gateway_name": "ml-dev", "oidc_issuer": "https://issuer.example.com",
                    "jwks_uri": "https://issuer.example.com/keys"},
    }
    plan = plan_program(lambda: InferenceService("chat", service_args))
    findings = [f for f in check_plan(plan, {}).findings if f.rule == RULE and f.status == "violation"]
    (finding,) = findings
    for part in ("client timeout", "60s", "node 300s", "image 123s", "weights 131s", "start 90s"):
        assert part in finding.message, part
    # the route's own timeout was derived from the budget: it is not what fails
    assert "HTTPRoute" not in finding.message
    ok = copy.deepcopy(service_args) | {"client_timeout": 900}
    assert not [f for f in check_plan(plan_program(lambda: InferenceService("chat", ok)), {}).findings
                if f.rule == RULE and f.status == "violation"]
