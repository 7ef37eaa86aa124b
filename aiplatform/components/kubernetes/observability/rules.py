"""The platform's Prometheus rules as data: per model server (SLO burn rate, queue, target down) and per
platform (GPU waste and health, pools at their maximum, 429s per team).

Pure functions of thresholds and names, so the same groups go into the `PrometheusRule` objects and into
the `promtool` tests (tests/unit/components/test_observability_rules.py). Every alert carries a `runbook_url`
into docs/observability.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....config import defaults as d

DOCS_URL = "https://github.com/aiplatform-dev/aiplatform/blob/main/docs/observability.md"
#: Bucket bounds of vLLM's `vllm:time_to_first_token_seconds` histogram (vllm/v1/metrics/loggers.py): an SLO
#: threshold must be one of them, since the good-request count is the bucket's.
TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
                40.0, 80.0, 160.0, 640.0, 2560.0)
#: Multi-window burn rates of the SRE workbook for a 30-day budget: (name, long, short window, factor, for,
#: severity). 14.4x spends 2% of the budget in an hour; 6x spends 5% in six hours.
BURN_WINDOWS = (
    ("Fast", "1h", "5m", 14.4, "2m", "critical"),
    ("Slow", "6h", "30m", 6.0, "15m", "warning"),
)
#: The label the platform's scrape configs add to model-server targets (ServiceMonitor relabeling).
WORKLOAD_LABEL = "aiplatform_workload"
INFERENCE = "inference"
#: Envoy Gateway names a route's cluster httproute/<namespace>/<route>/rule/<n>; the namespace is the team's.
_TEAM_OF_CLUSTER = '"team", "$1", "envoy_cluster_name", "httproute/([^/]+)/.*"'
#: Requests the gateway's local rate limit refused (429 answered by Envoy) and consulted, per proxy: Envoy Gateway
#: gives every route's limit one stat prefix, so these are not per team (tests/data/upstream/envoy-gateway-v1.8.3).
LOCAL_RATE_LIMITED = "rate(envoy_http_local_rate_limit_rate_limited[5m])"
LOCAL_RATE_LIMIT_CONSULTED = "rate(envoy_http_local_rate_limit_enabled[5m])"
#: XID 79: "GPU has fallen off the bus" (NVIDIA XID catalogue).
XID_FALLEN_OFF_BUS = 79
GPU_RESOURCE_METRIC = "nvidia_com_gpu"  # kube-state-metrics' name of the nvidia.com/gpu resource


def runbook(anchor: str) -> str:
    return f"{DOCS_URL}#{anchor}"


def _alert(name: str, expr: str, for_: str, severity: str, summary: str, anchor: str,
           labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity, **dict(labels or {})},
        "annotations": {"summary": summary, "runbook_url": runbook(anchor)},
    }


def le_label(seconds: float) -> str:
    """The `le` label value prometheus_client writes for a bucket bound (Python's float repr)."""
    return repr(float(seconds))


def ttft_threshold_problem(seconds: float) -> str | None:
    if float(seconds) in TTFT_BUCKETS:
        return None
    return (f"{seconds} is not a bucket bound of vllm:time_to_first_token_seconds (bounds: "
            f"{', '.join(le_label(b) for b in TTFT_BUCKETS if 0.1 <= b <= 20)}, ...)")


def _selector(namespace: str, service: str) -> str:
    return f'namespace="{namespace}",service="{service}"'


def service_rule_groups(namespace: str, service: str, *, ttft_seconds: float = d.SLO_TTFT_P95_SECONDS,
                        objective: float = d.SLO_OBJECTIVE, queue_depth: int = d.SLO_QUEUE_DEPTH,
                        queue_minutes: int = d.SLO_QUEUE_MINUTES) -> list[dict[str, Any]]:
    """The rule groups of one model server: the TTFT SLO as recording rules per window and multi-window
    burn-rate alerts, a queue that stays deep, and the server not scraped."""
    sel = _selector(namespace, service)
    le = le_label(ttft_seconds)
    budget = round(1 - objective, 6)
    windows = sorted({w for _, long, short, *_ in BURN_WINDOWS for w in (long, short)},
                     key=lambda w: int(w[:-1]) * (3600 if w.endswith("h") else 60))
    records = [{
        "record": f"aiplatform:vllm_ttft_slo_errors:ratio_rate{w}",
        "expr": (f"1 - (sum by (namespace, service) (rate(vllm:time_to_first_token_seconds_bucket{{{sel},le=\"{le}\"}}[{w}]))"
                 f" / sum by (namespace, service) (rate(vllm:time_to_first_token_seconds_count{{{sel}}}[{w}])))"),
    } for w in windows]
    slo_labels = {"aiplatform_slo": "ttft", "namespace": namespace, "service": service}
    alerts = [_alert(
        f"InferenceTtftBudgetBurn{speed}",
        (f"aiplatform:vllm_ttft_slo_errors:ratio_rate{long}{{{sel}}} > ({factor} * {budget})"
         f" and aiplatform:vllm_ttft_slo_errors:ratio_rate{short}{{{sel}}} > ({factor} * {budget})"),
        for_, severity,
        f"{namespace}/{service}: requests slower than {ttft_seconds}s to the first token burn the {objective:.2%} "
        f"SLO's error budget {factor}x too fast",
        "inferencettftbudgetburn", slo_labels,
    ) for speed, long, short, factor, for_, severity in BURN_WINDOWS]
    alerts.append(_alert(
        "InferenceQueueDeep",
        f"max by (namespace, service) (vllm:num_requests_waiting{{{sel}}}) > {queue_depth}",
        f"{queue_minutes}m", "warning",
        f"{namespace}/{service}: more than {queue_depth} requests waiting for {queue_minutes} minutes",
        "inferencequeuedeep", {"namespace": namespace, "service": service},
    ))
    alerts.append(_alert(
        "InferenceTargetDown",
        f"(max by (namespace, service) (up{{{sel}}}) == 0) or absent(up{{{sel}}})",
        "10m", "critical",
        f"{namespace}/{service}: the model server's /metrics is not scraped (down, or no replica)",
        "inferencetargetdown", {"namespace": namespace, "service": service},
    ))
    return [
        {"name": f"aiplatform-slo-{namespace}-{service}-records", "rules": records},
        {"name": f"aiplatform-slo-{namespace}-{service}", "rules": alerts},
    ]


def pool_max_records(pool_max_nodes: Mapping[str, int]) -> list[dict[str, Any]]:
    """Each GPU pool's maximum size as a series (`aiplatform:gpu_pool_max_nodes{pool=...}`), from the config."""
    return [{"record": "aiplatform:gpu_pool_max_nodes",
             "expr": f"vector({int(count)})", "labels": {"pool": pool}}
            for pool, count in sorted(pool_max_nodes.items())]


def platform_rule_groups(pool_max_nodes: Mapping[str, int], *, idle_gpu_percent: float = d.IDLE_GPU_PERCENT,
                         idle_gpu_hours: float = d.IDLE_GPU_HOURS,
                         team_429_ratio: float = d.TEAM_429_RATIO) -> list[dict[str, Any]]:
    """The platform's rule groups: GPU waste and health (DCGM), GPU pools at their maximum while GPU pods wait,
    each team's share of 429s from its model servers, and the share the gateway's own rate limits refuse."""
    idle_for = f"{round(idle_gpu_hours * 60)}m"
    pool_nodes = ('count by (pool) (label_replace(kube_node_labels{label_aiplatform_io_pool!=""}, '
                  '"pool", "$1", "label_aiplatform_io_pool", "(.+)"))')
    pending_gpu_pods = (
        'count(max by (namespace, pod) (kube_pod_status_phase{phase="Pending"} == 1)'
        f' and on (namespace, pod) max by (namespace, pod) (kube_pod_container_resource_requests{{resource="{GPU_RESOURCE_METRIC}"}} > 0))'
    )
    gpu = [
        _alert(
            "GpuAllocatedIdle",
            f'max by (node, gpu, UUID, namespace, pod) (DCGM_FI_DEV_GPU_UTIL{{pod!=""}}) < {idle_gpu_percent}',
            idle_for, "warning",
            f"GPU {{{{ $labels.gpu }}}} on {{{{ $labels.node }}}} is allocated to {{{{ $labels.namespace }}}}/"
            f"{{{{ $labels.pod }}}} and below {idle_gpu_percent}% utilisation for {idle_gpu_hours} h",
            "gpuallocatedidle",
        ),
        _alert(
            "GpuXidError",
            f"max by (node, gpu, UUID) (DCGM_FI_DEV_XID_ERRORS) > 0 unless max by (node, gpu, UUID) "
            f"(DCGM_FI_DEV_XID_ERRORS) == {XID_FALLEN_OFF_BUS}",
            "0m", "warning",
            "GPU {{ $labels.gpu }} on {{ $labels.node }} reported XID error {{ $value }}",
            "gpuxiderror",
        ),
        _alert(
            "GpuFellOffBus",
            f"max by (node, gpu, UUID) (DCGM_FI_DEV_XID_ERRORS) == {XID_FALLEN_OFF_BUS}",
            "0m", "critical",
            "GPU {{ $labels.gpu }} on {{ $labels.node }} has fallen off the bus (XID 79): drain and replace the node",
            "gpufelloffbus",
        ),
        _alert(
            "GpuMissingFromNode",
            f'max by (node) (kube_node_status_capacity{{resource="{GPU_RESOURCE_METRIC}"}}) '
            "> count by (node) (DCGM_FI_DEV_GPU_UTIL)",
            "10m", "critical",
            "{{ $labels.node }} has more GPUs in its capacity than DCGM reports: a GPU is lost",
            "gpumissingfromnode",
        ),
    ]
    pools = [_alert(
        "GpuPoolAtMaxWithPendingPods",
        f"({pool_nodes} >= on (pool) aiplatform:gpu_pool_max_nodes) and on () ({pending_gpu_pods} > 0)",
        "15m", "warning",
        "GPU pool {{ $labels.pool }} is at its maximum size while pods requesting GPUs are Pending",
        "gpupoolatmaxwithpendingpods",
    )]
    def per_team(series: str) -> str:
        return f"sum by (team) (label_replace(rate({series}[5m]), {_TEAM_OF_CLUSTER}))"

    gateway = [_alert(
        "GatewayTeamThrottled",
        (per_team('envoy_cluster_upstream_rq{envoy_response_code="429"}') + " / "
         + per_team("envoy_cluster_upstream_rq_total") + f" > {team_429_ratio}"),
        "10m", "warning",
        f"Team {{{{ $labels.team }}}}: more than {team_429_ratio:.0%} of its gateway requests get 429",
        "gatewayteamthrottled",
    ), _alert(
        "GatewayRateLimiting",
        (f"sum({LOCAL_RATE_LIMITED}) / sum({LOCAL_RATE_LIMIT_CONSULTED}) > {team_429_ratio}"),
        "10m", "warning",
        f"More than {team_429_ratio:.0%} of the gateway's requests are refused by its rate limits (429 from Envoy)",
        "gatewayratelimiting",
    )]
    return [
        {"name": "aiplatform-gpu", "rules": gpu},
        {"name": "aiplatform-gpu-pools", "rules": [*pool_max_records(pool_max_nodes), *pools]},
        {"name": "aiplatform-gateway", "rules": gateway},
    ]


def alert_names(groups: list[dict[str, Any]]) -> list[str]:
    return [r["alert"] for g in groups for r in g["rules"] if "alert" in r]


__all__ = ["BURN_WINDOWS", "DOCS_URL", "INFERENCE", "TTFT_BUCKETS", "WORKLOAD_LABEL", "alert_names", "le_label",
           "platform_rule_groups", "service_rule_groups", "ttft_threshold_problem"]
