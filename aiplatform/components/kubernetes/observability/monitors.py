"""Prometheus Operator objects (monitoring.coreos.com/v1, CRDs of the pinned kube-prometheus-stack): the
ServiceMonitor of a model server, the PodMonitor of the gateway's Envoy proxies, and PrometheusRules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .rules import INFERENCE, WORKLOAD_LABEL

MONITORING_API = "monitoring.coreos.com/v1"
#: The label on a PrometheusRule naming the model server whose SLO it holds (read by aip-observability-service-monitored).
SLO_FOR_LABEL = "aiplatform.io/slo-for"


def _object(logical: str, kind: str, metadata: Mapping[str, Any], spec: pulumi.Input[Mapping[str, Any]],
            opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(logical, api_version=MONITORING_API, kind=kind, metadata=dict(metadata),
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


def prometheus_rule(logical: str, metadata: Mapping[str, Any], groups: pulumi.Input[Sequence[Mapping[str, Any]]],
                    opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    spec = pulumi.Output.from_input(groups).apply(lambda g: {"groups": list(g)})
    return _object(logical, "PrometheusRule", metadata, spec, opts)


__all__ = ["ENVOY_PROXY_SELECTOR", "MONITORING_API", "SLO_FOR_LABEL", "envoy_monitor", "model_server_monitor",
           "prometheus_rule"]
