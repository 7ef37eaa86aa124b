"""How an InferenceService scales (issue 20): KEDA ScaledObjects on vLLM's own metrics, active hours as a cron
trigger, scale from zero through the KEDA HTTP add-on, the cold-start budget behind its probe and timeouts;
the Keda component's charts and ReferenceGrants."""

from __future__ import annotations

import re

import pytest
from crd_helpers import crd_schemas, schema_errors
from plan_helpers import manifests_by_kind_and_name
from upstream_helpers import UPSTREAM, missing_keys

from aiplatform.catalog import pins
from aiplatform.catalog.cold_start import budget, model_size_gib, sources
from aiplatform.components.kubernetes import InferenceService
from aiplatform.components.kubernetes.autoscaling import METRICS, weekly_hours
from aiplatform.components.kubernetes.keda import INTERCEPTOR_SERVICE, Keda
from aiplatform.offline import reveal
from aiplatform.testing import plan_program

SERVICE = {
    "team": "search", "namespace": "search", "service_account": "workloads", "registry_uri": "s3://models",
    "model": "chat/llama-3.1-8b-instruct/v1", "accelerator": "L4", "labels": {"team": "search"},
    "gateway": {"namespace": "llm-gateway", "gateway_name": "ml-dev", "oidc_issuer": "https://issuer.example.com",
                "jwks_uri": "https://issuer.example.com/keys"},
}



#: Metric names vLLM v0.11.1 emits by default (counters with `_total`, histograms with their series), hidden ones out.
def vllm_metrics() -> set[str]:
    out = set()
    for line in (UPSTREAM / "vllm-0.11.1" / "metrics.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, kind, *rest = line.split()
        if "hidden" in rest:
            continue
        out |= {f"{name}_total"} if kind == "counter" else (
            {f"{name}_bucket", f"{name}_sum", f"{name}_count"} if kind == "histogram" else {name})
    return out


def query_metrics(query: str) -> set[str]:
    return set(re.findall(r"vllm:[a-z_]+", query))


def objects_of(change: dict, mode: str = "preview"):
    plan = plan_program(lambda: InferenceService("chat", {**SERVICE, **change}), mode=mode)
    return plan, manifests_by_kind_and_name(plan)


def test_every_metric_queries_only_names_vllm_v0111_emits():
    emitted = vllm_metrics()
    assert "vllm:gpu_cache_usage_perc" not in emitted  # hidden in v0.11.1: the KV-cache gauge is kv_cache_usage_perc
    for metric, (query, *_rest) in METRICS.items():
        assert query_metrics(query) and query_metrics(query) <= emitted, metric


@pytest.mark.parametrize(("metric", "metric_type", "threshold"), [
    ("queue", "AverageValue", "5"), ("kv_cache", "Value", "0.8"), ("requests_per_second", "AverageValue", "2")])
def test_a_scaled_object_per_metric_validates_against_the_keda_crd(metric, metric_type, threshold):
    _, objects = objects_of({"autoscaling": {"metric": metric, "max_replicas": 4, "scale_down_after": 600}})
    manifest = objects[("ScaledObject", "chat")]
    schema = crd_schemas(pins.KEDA.version)[("keda.sh/v1alpha1", "ScaledObject")]
    assert schema_errors(schema, manifest) == []
    spec = manifest["spec"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"], spec["cooldownPeriod"]) == (1, 4, 600)
    (trigger,) = spec["triggers"]
    assert (trigger["type"], trigger["metricType"], trigger["metadata"]["threshold"]) == ("prometheus", metric_type,
                                                                                         threshold)
    assert 'namespace="search",service="chat"' in trigger["metadata"]["query"]
    assert query_metrics(trigger["metadata"]["query"]) <= vllm_metrics()


def test_active_hours_become_a_cron_trigger_and_the_service_sits_at_zero_outside_them():
    hours = {"timezone": "Europe/Paris", "start": "08:00", "end": "19:30", "days": ["mon", "tue", "wed"]}
    _, objects = objects_of({"active_hours": hours})
    spec = objects[("ScaledObject", "chat")]["spec"]
    assert spec["minReplicaCount"] == 0
    cron = next(t for t in spec["triggers"] if t["type"] == "cron")
    assert cron["metadata"] == {"timezone": "Europe/Paris", "start": "0 8 * * 1,2,3", "end": "30 19 * * 1,2,3",
                                "desiredReplicas": "1"}
    assert weekly_hours(hours) == 34.5 and weekly_hours(None) == 168
    # at zero outside the window: the interceptor holds the first request
    assert ("HTTPScaledObject", "chat") in objects


def test_at_zero_the_route_goes_through_the_interceptor_with_the_host_it_routes_on():
    _, objects = objects_of({"min_replicas": 0, "parameters_billion": 8})
    http = objects[("HTTPScaledObject", "chat")]
    schema = crd_schemas(pins.KEDA_HTTP_ADD_ON.version)[("http.keda.sh/v1alpha1", "HTTPScaledObject")]
    assert schema_errors(schema, http) == []
    assert http["metadata"]["annotations"] == {"httpscaledobject.keda.sh/skip-scaledobject-creation": "true"}
    assert http["spec"]["hosts"] == ["chat.search.svc"]
    assert http["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "chat",
                                              "service": "chat", "port": 8000}
    scaled = objects[("ScaledObject", "chat")]["spec"]
    assert scaled["minReplicaCount"] == 0
    push = next(t for t in scaled["triggers"] if t["type"] == "external-push")
    assert push["metadata"] == {"scalerAddress": "keda-add-ons-http-external-scaler.keda:9090",
                                "httpScaledObject": "chat"}
    cold = budget(accelerator="L4", image=pins.VLLM_IMAGE, model_gib=round(model_size_gib(8), 1)).seconds
    assert http["spec"]["timeouts"] == {"conditionWait": f"{cold}s", "responseHeader": "300s"}
    (rule,) = objects[("HTTPRoute", "chat")]["spec"]["rules"]
    assert rule["backendRefs"] == [{"name": INTERCEPTOR_SERVICE, "namespace": "keda", "port": 8080}]
    assert rule["filters"] == [{"type": "URLRewrite", "urlRewrite": {
        "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}, "hostname": "chat.search.svc"}}]
    assert rule["timeouts"] == {"request": f"{300 + cold}s"}  # the cold start, then the generation
    # the team's auth and limits still target the route
    target = [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "chat"}]
    assert objects[("SecurityPolicy", "chat-auth")]["spec"]["targetRefs"] == target
    assert objects[("BackendTrafficPolicy", "chat-limits")]["spec"]["targetRefs"] == target
    gateway_schemas = crd_schemas(pins.ENVOY_GATEWAY.version)
    route = objects[("HTTPRoute", "chat")]
    assert schema_errors(gateway_schemas[("gateway.networking.k8s.io/v1", "HTTPRoute")], route) == []


def test_the_cold_start_budget_sets_the_startup_probe_and_is_annotated():
    _, objects = objects_of({"parameters_billion": 70, "gpus": 4})
    deployment = objects[("Deployment", "chat")]
    cold = budget(accelerator="L4", image=pins.VLLM_IMAGE, model_gib=round(model_size_gib(70), 1))
    assert [p.name for p in cold.parts] == ["node", "image", "weights", "start"]
    probe = deployment["spec"]["template"]["spec"]["containers"][0]["startupProbe"]
    assert probe["failureThreshold"] * probe["periodSeconds"] >= cold.seconds
    annotations = deployment["metadata"]["annotations"]
    assert annotations["aiplatform.io/cold-start-seconds"] == str(cold.seconds)
    assert float(annotations["aiplatform.io/model-size-gib"]) == pytest.approx(130.4, abs=0.1)


def test_every_cold_start_figure_is_labelled_and_published_ones_name_a_source():
    rows = sources()
    assert rows
    for row in rows:
        assert row["basis"] in ("published", "default")
        assert (row["source"] is not None) == (row["basis"] == "published"), row["figure"]


def test_keda_installs_both_pinned_charts_on_system_nodes_and_a_grant_per_team():
    plan = plan_program(lambda: Keda("ml", {"teams": [{"team": "search", "namespace": "search"}],
                                            "node_selector": {"role": "system"}}))
    releases = {reveal(r.inputs)["chart"]: reveal(r.inputs) for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    assert {c: r["version"] for c, r in releases.items()} == {"keda": "2.20.2", "keda-add-ons-http": "0.12.2"}
    assert releases["keda"]["values"]["nodeSelector"] == {"role": "system"}
    for chart, release in releases.items():
        assert missing_keys(chart, release["values"]) == [], chart
    grant = manifests_by_kind_and_name(plan)[("ReferenceGrant", "routes-from-search")]
    assert grant["metadata"]["namespace"] == "keda"
    assert grant["spec"]["from"] == [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "search"}]
    schema = crd_schemas(pins.ENVOY_GATEWAY.version)[("gateway.networking.k8s.io/v1beta1", "ReferenceGrant")]
    assert schema_errors(schema, grant) == []
