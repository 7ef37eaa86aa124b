"""The platform's Grafana dashboards, built with grafana-foundation-sdk (dashboards as code, not JSON by hand).

`dashboards(prices)` gives {file name: dashboard JSON}; `MetricsStack` ships each in a ConfigMap that
Grafana's dashboard sidecar loads. Every PromQL expression here is parsed and its metric names checked
against the pinned exporters' lists in tests (tests/unit/components/test_observability_dashboards.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import prometheus as gp
from grafana_foundation_sdk.builders import stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

#: The datasource kube-prometheus-stack provisions (grafana.sidecar.datasources.uid).
DATASOURCE = DataSourceRef(type_val="prometheus", uid="prometheus")
#: GPU series with the pool and accelerator of their node (kube-state-metrics' node labels, allow-listed).
_NODE_POOL = ("max by (node, label_aiplatform_io_pool, label_aiplatform_io_accelerator) "
              "(kube_node_labels{label_aiplatform_io_pool!=\"\"})")
_TEAM = 'label_replace({expr}, "team", "$1", "envoy_cluster_name", "httproute/([^/]+)/.*")'


def _panel(title: str, unit: str, *queries: tuple[str, str], kind: str = "timeseries", width: int = 12) -> Any:
    builder = (timeseries.Panel() if kind == "timeseries" else stat.Panel()).title(title).unit(unit) \
        .datasource(DATASOURCE).span(width).height(8)
    for i, (expr, legend) in enumerate(queries):
        builder = builder.with_target(gp.Dataquery().expr(expr).legend_format(legend).ref_id(chr(ord("A") + i)))
    return builder


def _dashboard(uid: str, title: str, panels: list[Any], variables: list[Any] = ()) -> dict[str, Any]:
    board = gd.Dashboard(title).uid(uid).tags(["aiplatform"]).refresh("1m").time("now-6h", "now") \
        .timezone("browser")
    for variable in variables:
        board = board.with_variable(variable)
    for panel in panels:
        board = board.with_panel(panel)
    return json.loads(json.dumps(board.build(), cls=JSONEncoder))


def _variable(name: str, query: str) -> Any:
    return gd.QueryVariable(name).label(name).datasource(DATASOURCE).query(query).multi(True).include_all(True)


def gpu_dashboard() -> dict[str, Any]:
    util = f"DCGM_FI_DEV_GPU_UTIL * on (node) group_left (label_aiplatform_io_pool, label_aiplatform_io_accelerator) {_NODE_POOL}"
    used = f"DCGM_FI_DEV_FB_USED * on (node) group_left (label_aiplatform_io_pool) {_NODE_POOL}"
    return _dashboard("aiplatform-gpu", "AI platform / GPUs", [
        _panel("GPU utilisation per pool", "percent",
               (f"avg by (label_aiplatform_io_pool, label_aiplatform_io_accelerator) ({util})",
                "{{label_aiplatform_io_pool}} ({{label_aiplatform_io_accelerator}})")),
        _panel("GPU utilisation per team", "percent",
               ('avg by (namespace) (DCGM_FI_DEV_GPU_UTIL{pod!=""})', "{{namespace}}")),
        _panel("GPU memory used per pool", "decmbytes",
               (f"sum by (label_aiplatform_io_pool) ({used})", "{{label_aiplatform_io_pool}}")),
        _panel("GPU memory used per team", "decmbytes",
               ('sum by (namespace) (DCGM_FI_DEV_FB_USED{pod!=""})', "{{namespace}}")),
        _panel("GPUs allocated and idle (< 5 %)", "short",
               ('count(DCGM_FI_DEV_GPU_UTIL{pod!=""} < 5)', "idle"), kind="stat", width=6),
        _panel("XID errors", "short", ("max by (node, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0", "{{node}} GPU {{gpu}}"),
               kind="stat", width=6),
    ])


def inference_dashboard() -> dict[str, Any]:
    sel = 'namespace=~"$namespace",service=~"$service"'

    def quantile(metric: str) -> str:
        return f"histogram_quantile(0.95, sum by (le, namespace, service) (rate({metric}_bucket{{{sel}}}[5m])))"

    return _dashboard("aiplatform-inference", "AI platform / Inference", [
        _panel("Requests per second", "reqps",
               (f"sum by (namespace, service) (rate(vllm:request_success_total{{{sel}}}[5m]))", "{{namespace}}/{{service}}")),
        _panel("Time to first token, p95", "s",
               (quantile("vllm:time_to_first_token_seconds"), "{{namespace}}/{{service}}")),
        _panel("Time per output token, p95", "s",
               (quantile("vllm:inter_token_latency_seconds"), "{{namespace}}/{{service}}")),
        _panel("Queue depth", "short",
               (f"sum by (namespace, service) (vllm:num_requests_waiting{{{sel}}})", "waiting {{namespace}}/{{service}}"),
               (f"sum by (namespace, service) (vllm:num_requests_running{{{sel}}})", "running {{namespace}}/{{service}}")),
        _panel("KV-cache use", "percentunit",
               (f"max by (namespace, service) (vllm:kv_cache_usage_perc{{{sel}}})", "{{namespace}}/{{service}}")),
        _panel("Tokens per second", "short",
               (f"sum by (namespace, service) (rate(vllm:generation_tokens_total{{{sel}}}[5m]))", "generated {{service}}"),
               (f"sum by (namespace, service) (rate(vllm:prompt_tokens_total{{{sel}}}[5m]))", "prompt {{service}}")),
    ], [_variable("namespace", "label_values(vllm:num_requests_running, namespace)"),
        _variable("service", 'label_values(vllm:num_requests_running{namespace=~"$namespace"}, service)')])


def gateway_dashboard() -> dict[str, Any]:
    def team(expr: str) -> str:
        return _TEAM.format(expr=expr)

    rq_5xx = team('rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[5m])')
    rq_429 = team('rate(envoy_cluster_upstream_rq{envoy_response_code="429"}[5m])')
    return _dashboard("aiplatform-gateway", "AI platform / Gateway", [
        _panel("Requests per team", "reqps",
               (f"sum by (team) ({team('rate(envoy_cluster_upstream_rq_total[5m])')})", "{{team}}")),
        _panel("5xx per team", "reqps",
               (f"sum by (team) ({rq_5xx})",
                "{{team}}")),
        _panel("429 per team (from the model servers)", "reqps",
               (f"sum by (team) ({rq_429})",
                "{{team}}")),
        _panel("429 answered by the gateway's rate limits (all teams)", "reqps",
               ("sum(rate(envoy_http_local_rate_limit_rate_limited[5m]))", "refused"),
               ("sum(rate(envoy_http_local_rate_limit_enabled[5m]))", "consulted")),
        _panel("Upstream latency per team, p95", "ms",
               (f"histogram_quantile(0.95, sum by (le, team) ({team('rate(envoy_cluster_upstream_rq_time_bucket[5m])')}))",
                "{{team}}")),
    ])


def cost_dashboard(gpu_hour_prices: Mapping[str, float]) -> dict[str, Any]:
    """GPU-hours per team over the dashboard's range, and their list price from the catalog (per accelerator
    model: the price of an hour of one GPU of the platform's pools)."""
    allocated = (f'(DCGM_FI_DEV_GPU_UTIL{{pod!=""}} * on (node) group_left (label_aiplatform_io_accelerator) '
                 f"{_NODE_POOL})")
    hours = f"sum by (namespace) (count_over_time({allocated}[$__range:1m])) / 60"
    price_terms = " or ".join(
        f'label_replace(vector({price:.4f}), "label_aiplatform_io_accelerator", "{model}", "", "")'
        for model, price in sorted(gpu_hour_prices.items())) or "vector(0)"
    cost = (f"sum by (namespace) (count_over_time({allocated}[$__range:1m]) / 60 "
            f"* on (label_aiplatform_io_accelerator) group_left () ({price_terms}))")
    return _dashboard("aiplatform-cost", "AI platform / GPU cost", [
        _panel("GPU-hours per team", "h", (hours, "{{namespace}}"), kind="stat"),
        _panel("GPU list-price cost per team (USD)", "currencyUSD", (cost, "{{namespace}}"), kind="stat"),
    ])


def dashboards(gpu_hour_prices: Mapping[str, float]) -> dict[str, dict[str, Any]]:
    """Every platform dashboard by file name."""
    return {
        "aiplatform-gpu.json": gpu_dashboard(),
        "aiplatform-inference.json": inference_dashboard(),
        "aiplatform-gateway.json": gateway_dashboard(),
        "aiplatform-cost.json": cost_dashboard(gpu_hour_prices),
    }


def expressions(board: Mapping[str, Any]) -> list[str]:
    """Every PromQL expression of a dashboard (its panels' targets and its query variables)."""
    out = [t["expr"] for p in board.get("panels", []) for t in p.get("targets", []) if "expr" in t]
    return out + [v["query"] for v in board.get("templating", {}).get("list", []) if isinstance(v.get("query"), str)]


__all__ = ["dashboards", "expressions"]
