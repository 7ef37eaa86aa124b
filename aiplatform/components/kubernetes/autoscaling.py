"""How an `InferenceService` scales: a KEDA ScaledObject on vLLM's own metrics (v0.11.1 names, vendored in
tests/data/upstream/vllm-0.11.1/metrics.txt), a cron window for active hours, and, for a service that may sit at
zero, the HTTP add-on's HTTPScaledObject whose interceptor holds requests while a replica starts.

Hosted by the component package, so annotations stay evaluated (no `from __future__ import annotations`).
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

from ...catalog.cold_start import DTYPES, Budget, budget, model_size_gib
from ...config import defaults as d
from .._base import ArgsChecker
from .keda import EXTERNAL_SCALER_PORT, EXTERNAL_SCALER_SERVICE

KEDA_API = "keda.sh/v1alpha1"
HTTP_API = "http.keda.sh/v1alpha1"
#: The HTTP add-on leaves the ScaledObject to us (one ScaledObject per Deployment: KEDA refuses a second).
SKIP_SCALED_OBJECT = "httpscaledobject.keda.sh/skip-scaledobject-creation"
#: The platform's Prometheus (`MetricsStack`: `metrics-prometheus` in `monitoring`, port 9090).
DEFAULT_PROMETHEUS_URL = f"http://metrics-prometheus.{d.OBSERVABILITY_NAMESPACE}.svc:9090"

#: Per metric: the PromQL over one service's pods (`{sel}` = namespace and service labels the ServiceMonitor
#: adds), KEDA's metric type, the default target and what the target means.
METRICS: dict[str, tuple[str, str, float, str]] = {
    "queue": ("sum(vllm:num_requests_waiting{{{sel}}})", "AverageValue", 5,
              "requests waiting per replica"),
    "kv_cache": ("avg(vllm:kv_cache_usage_perc{{{sel}}})", "Value", 0.8,
                 "KV-cache usage (0-1) averaged over the replicas"),
    "requests_per_second": ("sum(rate(vllm:request_success_total{{{sel}}}[2m]))", "AverageValue", 2,
                            "finished requests per second per replica"),
}
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ZONE = re.compile(r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$|^UTC$")


class ActiveHoursArgs(TypedDict, total=False):
    """When the service keeps its replicas; outside, it may sit at zero (a KEDA cron trigger)."""

    timezone: Required[str]
    """IANA time zone, e.g. `Europe/Paris` (required)."""
    start: Required[str]
    """Start of the window, `HH:MM` (required)."""
    end: Required[str]
    """End of the window, `HH:MM`, later than `start` (required)."""
    days: Sequence[str]
    """Days of the window, `mon` to `sun`. Default: `mon` to `fri`."""


class AutoscalingArgs(TypedDict, total=False):
    """KEDA on the server's own metrics (replaces a CPU autoscaler, which does not see a GPU server's load)."""

    metric: str
    """`queue` (vllm:num_requests_waiting), `kv_cache` (vllm:kv_cache_usage_perc) or `requests_per_second`
    (rate of vllm:request_success_total). Default: `queue`."""
    target: float
    """Value per replica the autoscaler aims at. Default: 5 waiting requests, 0.8 KV-cache usage, 2 requests/s."""
    min_replicas: int
    """Fewest replicas; 0 lets the service sit at zero (requests are held by the KEDA HTTP add-on while it
    starts). Default: 1 (or the service's `min_replicas`)."""
    max_replicas: int
    """Most replicas. Default: 2 (or the service's `max_replicas`)."""
    scale_down_after: int
    """Seconds of low load before a replica is removed (and before the last one goes). Default: 900."""


def weekly_hours(hours: Mapping[str, Any] | None) -> float:
    """Hours per week the active window covers (168 without one)."""
    if not hours:
        return 168.0
    (h1, m1), (h2, m2) = (map(int, hours[k].split(":")) for k in ("start", "end"))
    return round(((h2 * 60 + m2) - (h1 * 60 + m1)) / 60 * len(hours.get("days") or DAYS[1:6]), 2)


def resolved(args: Mapping[str, Any]) -> dict[str, Any]:
    """The autoscaling settings with defaults, the service's `min_replicas`/`max_replicas` as shorthands."""
    own = dict(args.get("autoscaling") or {})
    metric = own.get("metric", "queue")
    out = {
        "metric": metric,
        "target": own.get("target", METRICS[metric][2] if metric in METRICS else None),
        "min_replicas": own.get("min_replicas", args.get("min_replicas", 1)),
        "max_replicas": own.get("max_replicas", args.get("max_replicas", 2)),
        "scale_down_after": own.get("scale_down_after", 900),
    }
    # With active hours the service sits at zero outside them: the cron window holds at least one replica.
    out["floor"] = 0 if args.get("active_hours") else out["min_replicas"]
    return out


def autoscaling_problems(check: ArgsChecker, args: Mapping[str, Any]) -> None:
    own = args.get("autoscaling") or {}
    for key in ("min_replicas", "max_replicas"):
        if key in own and key in args:
            check.require(own[key] == args[key], f"autoscaling.{key}",
                          f"given twice with different values ({own[key]!r}, {key}: {args[key]!r}): keep one")
    check.require("target_cpu_utilization" not in args, "target_cpu_utilization",
                  "no CPU autoscaler any more: use autoscaling.metric and autoscaling.target (vLLM's metrics)")
    s = resolved(args)
    check.require(s["metric"] in METRICS, "autoscaling.metric",
                  f"must be one of {', '.join(METRICS)} (got {s['metric']!r})")
    target = s["target"]
    check.require(isinstance(target, (int, float)) and not isinstance(target, bool) and target > 0
                  and (s["metric"] != "kv_cache" or target <= 1), "autoscaling.target",
                  f"must be above 0 (kv_cache: at most 1) (got {target!r})")
    low, high = s["min_replicas"], s["max_replicas"]
    path = "autoscaling.max_replicas" if "autoscaling" in args else "max_replicas"
    check.require(isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= 100 and high >= 1, path,
                  f"need 0 <= min_replicas <= max_replicas <= 100, max_replicas >= 1 (got {low!r}, {high!r})")
    after = s["scale_down_after"]
    check.require(isinstance(after, int) and 30 <= after <= 86_400, "autoscaling.scale_down_after",
                  f"must be 30 to 86400 seconds (got {after!r})")
    hours = args.get("active_hours")
    if hours is not None:
        zone = hours.get("timezone")
        check.require(isinstance(zone, str) and bool(_ZONE.match(zone)), "active_hours.timezone",
                      f"an IANA time zone such as Europe/Paris (got {zone!r})")
        times = {}
        for key in ("start", "end"):
            value = hours.get(key)
            ok = isinstance(value, str) and bool(_TIME.match(value))
            check.require(ok, f"active_hours.{key}", f"HH:MM (got {value!r})")
            times[key] = value if ok else None
        if times["start"] and times["end"]:
            check.require(times["start"] < times["end"], "active_hours.end",
                          f"must be later than start ({times['end']} <= {times['start']})")
        for i, day in enumerate(hours.get("days") or []):
            check.require(day in DAYS, f"active_hours.days[{i}]", f"one of {', '.join(DAYS)} (got {day!r})")


#: The longest a request may generate once a replica is ready (the route timeout of a service that never sits at
#: zero; the response-header wait of the HTTP add-on's interceptor).
REQUEST_SECONDS = 300
PROBE_PERIOD = 10


def model_gib(args: Mapping[str, Any]) -> float | None:
    """The weights' size: `model_size_gib`, else `parameters_billion` x the bytes of `dtype`, else unknown."""
    if args.get("model_size_gib") is not None:
        return float(args["model_size_gib"])
    if args.get("parameters_billion") is not None:
        return round(model_size_gib(float(args["parameters_billion"]), args.get("dtype", "bf16")), 1)
    return None


def cold_start(args: Mapping[str, Any], image: str) -> Budget:
    """The service's cold-start budget (`catalog.cold_start`); its pool is taken to be at zero too."""
    return budget(accelerator=args.get("accelerator"), image=image, model_gib=model_gib(args))


def startup_probe_threshold(seconds: int) -> int:
    """failureThreshold at `PROBE_PERIOD`: twice the budget, at least 20 minutes (a large model compiles long)."""
    return max(120, -(-2 * seconds // PROBE_PERIOD))


def route_timeout(args: Mapping[str, Any], seconds: int) -> int:
    """The gateway's request timeout: generation time, plus the cold start when the service may sit at zero."""
    request = args.get("request_seconds", REQUEST_SECONDS)
    return min(3600, request + (seconds if resolved(args)["floor"] == 0 else 0))


def size_problems(check: ArgsChecker, args: Mapping[str, Any]) -> None:
    for key in ("model_size_gib", "parameters_billion"):
        value = args.get(key)
        check.require(value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                        and 0 < value <= 10_000), key, f"must be above 0 (got {value!r})")
    check.require(args.get("model_size_gib") is None or args.get("parameters_billion") is None, "parameters_billion",
                  "give model_size_gib or parameters_billion, not both")
    check.require(args.get("dtype", "bf16") in DTYPES, "dtype", f"one of {', '.join(DTYPES)} (got {args.get('dtype')!r})")
    for key, high in (("client_timeout", 86_400), ("request_seconds", 3_000)):
        value = args.get(key)
        check.require(value is None or (isinstance(value, int) and 1 <= value <= high), key,
                      f"must be 1 to {high} seconds (got {value!r})")


def selector(namespace: str, service: str) -> str:
    return f'namespace="{namespace}",service="{service}"'


def cron_trigger(hours: Mapping[str, Any], replicas: int) -> dict[str, Any]:
    days = ",".join(str(DAYS.index(day)) for day in hours.get("days") or DAYS[1:6])
    (h1, m1), (h2, m2) = (hours["start"].split(":"), hours["end"].split(":"))
    return {"type": "cron", "name": "active-hours", "metadata": {
        "timezone": hours["timezone"], "start": f"{int(m1)} {int(h1)} * * {days}",
        "end": f"{int(m2)} {int(h2)} * * {days}", "desiredReplicas": str(replicas)}}


def scaled_object_spec(args: Mapping[str, Any], name: str, namespace: str, *, http: bool,
                       keda_namespace: str) -> dict[str, Any]:
    """The ScaledObject of a service: its Prometheus trigger, its cron window, the add-on's trigger at zero."""
    s = resolved(args)
    query, metric_type, _, _ = METRICS[s["metric"]]
    triggers: list[dict[str, Any]] = [{
        "type": "prometheus", "name": s["metric"].replace("_", "-"), "metricType": metric_type,
        "metadata": {"serverAddress": args.get("prometheus_url") or DEFAULT_PROMETHEUS_URL,
                     "query": query.format(sel=selector(namespace, name)), "threshold": f"{s['target']:g}",
                     "activationThreshold": "0"}}]
    if args.get("active_hours"):
        triggers.append(cron_trigger(args["active_hours"], max(1, s["min_replicas"])))
    if http:
        triggers.append({"type": "external-push", "name": "held-requests", "metadata": {
            "scalerAddress": f"{EXTERNAL_SCALER_SERVICE}.{keda_namespace}:{EXTERNAL_SCALER_PORT}",
            "httpScaledObject": name}})
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
        "minReplicaCount": s["floor"],
        "maxReplicaCount": s["max_replicas"],
        "pollingInterval": 15,
        "cooldownPeriod": s["scale_down_after"],
        # A new replica needs a GPU node and minutes to load: scale down slowly.
        "advanced": {"horizontalPodAutoscalerConfig": {"behavior": {"scaleDown": {
            "stabilizationWindowSeconds": s["scale_down_after"]}}}},
        "triggers": triggers,
    }


def http_host(name: str, namespace: str) -> str:
    """The Host header the interceptor routes a service's requests on (the gateway rewrites it)."""
    return f"{name}.{namespace}.svc"


def http_scaled_object_spec(name: str, namespace: str, port: int, *, max_replicas: int,
                            hold_seconds: int, response_seconds: int) -> dict[str, Any]:
    """The HTTPScaledObject of a service that may sit at zero: the interceptor routes `http_host` to its Service,
    holds a request up to `hold_seconds` for a ready replica, then waits `response_seconds` for headers."""
    return {
        "hosts": [http_host(name, namespace)],
        "pathPrefixes": ["/"],
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "service": name,
                           "port": port},
        "replicas": {"min": 0, "max": max_replicas},
        "timeouts": {"conditionWait": f"{hold_seconds}s", "responseHeader": f"{response_seconds}s"},
    }


__all__ = [
    "DEFAULT_PROMETHEUS_URL",
    "HTTP_API",
    "KEDA_API",
    "METRICS",
    "SKIP_SCALED_OBJECT",
    "ActiveHoursArgs",
    "AutoscalingArgs",
    "autoscaling_problems",
    "cold_start",
    "http_host",
    "http_scaled_object_spec",
    "model_gib",
    "resolved",
    "route_timeout",
    "scaled_object_spec",
    "size_problems",
    "startup_probe_threshold",
    "weekly_hours",
]
