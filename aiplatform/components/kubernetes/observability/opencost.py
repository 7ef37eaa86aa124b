"""OpenCost: the cluster's runtime cost per namespace and label, priced from the platform's catalog."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ....catalog.pins import OPENCOST
from ..helm import pinned_release


def opencost_values(prometheus_service: str, namespace: str, cost_model: Mapping[str, str]) -> dict[str, Any]:
    """OpenCost reading the in-cluster Prometheus (which scrapes it through the chart's ServiceMonitor), with the
    catalog's prices as its custom pricing; UI and API stay ClusterIP (port-forward)."""
    return {"opencost": {
        "prometheus": {"internal": {"enabled": True, "serviceName": prometheus_service, "namespaceName": namespace,
                                    "port": 9090}},
        "customPricing": {"enabled": True, "provider": "custom", "costModel": dict(cost_model)},
        "metrics": {"serviceMonitor": {"enabled": True}},
        "ui": {"enabled": True},
    }}


def opencost_release(name: str, namespace: pulumi.Input[str], prometheus_service: str, namespace_name: str,
                     cost_model: Mapping[str, str], opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
    return pinned_release(name, OPENCOST, namespace=namespace, release_name="opencost",
                          values=opencost_values(prometheus_service, namespace_name, cost_model), opts=opts)


__all__ = ["opencost_release", "opencost_values"]
