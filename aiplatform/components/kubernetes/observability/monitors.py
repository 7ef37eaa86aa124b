"""Prometheus Operator objects (monitoring.coreos.com/v1, CRDs of the pinned kube-prometheus-stack): the
ServiceMonitor of a model server, the PodMonitor of the gateway's Envoy proxies, and PrometheusRules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .rules import INFERENCE, WORKLOAD_LABEL

MONITORING_API = "monitoring.coreos.com/v1"
#: GKE Managed Prometheus' objects (CRDs of prometheus-engine v0.17.2, tests/data/upstream/).
GMP_API = "monitoring.googleapis.com/v1"
#: The label on a PrometheusRule naming the model server whose SLO it holds (read by aip-observability-service-monitored).
SLO_FOR_LABEL = "aiplatform.io/slo-for"


def _object(logical: str, kind: str, metadata: Mapping[str, Any], spec: pulumi.Input[Mapping[str, Any]],
            opts: pulumi.ResourceOptions, api: str = MONITORING_API) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(logical, api_version=api, kind=kind, metadata=dict(metadata),
                                            spec=spec, opts=opts)


def model_server_monitor(logical: str, metadata: Mapping[str, Any], selector: Mapping[str, str], port: str,
                         opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    """A ServiceMonitor scraping vLLM's `/metrics` on the Service's `port`, its targets labelled as inference
    and with the pods' `team` label."""
    return _object(logical, "ServiceMonitor", metadata, {
        "selector": {"matchLabels": dict(selector)},
        "podTargetLabels": ["team"],
        "endpoints": [{
            "port": port,
            "path": "/metrics",
            "interval": "30s",
            "relabelings": [{"targetLabel": WORKLOAD_LABEL, "replacement": INFERENCE, "action": "replace"}],
        }],
    }, opts)


#: Envoy Gateway's proxy pods (the controller's labels) and their admin stats port.
ENVOY_PROXY_SELECTOR = {"app.kubernetes.io/component": "proxy", "app.kubernetes.io/managed-by": "envoy-gateway"}


def envoy_monitor(logical: str, namespace: pulumi.Input[str], labels: Mapping[str, str],
                  opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    """A PodMonitor scraping the gateway's Envoy proxies (`/stats/prometheus` on their `metrics` port)."""
    return _object(logical, "PodMonitor", {"name": "envoy-proxies", "namespace": namespace, "labels": dict(labels)}, {
        "selector": {"matchLabels": ENVOY_PROXY_SELECTOR},
        "podMetricsEndpoints": [{"port": "metrics", "path": "/stats/prometheus", "interval": "30s"}],
    }, opts)


def gmp_pod_monitoring(logical: str, metadata: Mapping[str, Any], selector: Mapping[str, str], port: str,
                       opts: pulumi.ResourceOptions, *, path: str = "/metrics",
                       labels: Mapping[str, str] | None = None) -> k8s.apiextensions.CustomResource:
    """A GMP PodMonitoring: the pods of its own namespace that `selector` picks, scraped on the container port
    `port`, their `team` label and node kept; `labels` set on every series (metric relabeling)."""
    relabel = [{"action": "replace", "targetLabel": k, "replacement": v} for k, v in sorted((labels or {}).items())]
    endpoint: dict[str, Any] = {"port": port, "path": path, "interval": "30s"}
    if relabel:
        endpoint["metricRelabeling"] = relabel
    return _object(logical, "PodMonitoring", metadata, {
        "selector": {"matchLabels": dict(selector)},
        "endpoints": [endpoint],
        "targetLabels": {"fromPod": [{"from": "team"}], "metadata": ["pod", "container", "node"]},
    }, opts, GMP_API)


def gmp_model_server_monitoring(logical: str, metadata: Mapping[str, Any], selector: Mapping[str, str], service: str,
                                opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    """The GMP twin of `model_server_monitor`: vLLM's `/metrics` on the pods' `http` port, the series labelled with
    the Service (as the Prometheus Operator does) and as inference."""
    return gmp_pod_monitoring(logical, metadata, selector, "http", opts,
                              labels={"service": service, WORKLOAD_LABEL: INFERENCE})


def gmp_rules(logical: str, kind: str, metadata: Mapping[str, Any], groups: pulumi.Input[Sequence[Mapping[str, Any]]],
              opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    """GMP `Rules` (namespaced: its queries see only that namespace's series) or `ClusterRules` (the cluster's)."""
    spec = pulumi.Output.from_input(groups).apply(lambda g: {"groups": list(g)})
    return _object(logical, kind, metadata, spec, opts, GMP_API)


def pod_monitor(logical: str, metadata: Mapping[str, Any], selector: Mapping[str, str],
                endpoints: Sequence[Mapping[str, Any]], opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    """A PodMonitor of the pods of its namespace that `selector` picks."""
    return _object(logical, "PodMonitor", metadata, {
        "selector": {"matchLabels": dict(selector)}, "podMetricsEndpoints": [dict(e) for e in endpoints]}, opts)


def prometheus_rule(logical: str, metadata: Mapping[str, Any], groups: pulumi.Input[Sequence[Mapping[str, Any]]],
                    opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    spec = pulumi.Output.from_input(groups).apply(lambda g: {"groups": list(g)})
    return _object(logical, "PrometheusRule", metadata, spec, opts)


__all__ = [
    "ENVOY_PROXY_SELECTOR",
    "GMP_API",
    "MONITORING_API",
    "SLO_FOR_LABEL",
    "envoy_monitor",
    "gmp_model_server_monitoring",
    "gmp_pod_monitoring",
    "gmp_rules",
    "model_server_monitor",
    "pod_monitor",
    "prometheus_rule",
]
