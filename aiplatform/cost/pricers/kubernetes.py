"""What Kubernetes objects make the cloud create: load balancers of Services and of the gateway's
EnvoyProxy, and the data volumes of charts the platform knows (Qdrant).

Priced from the stack's catalog through the cloud's `ClusterPricing` (registered by its pricer module);
nothing here reads the usage file.
"""

from __future__ import annotations

from typing import Any

from ...shape.props import as_number
from ...shape.resource import Resource
from ..model import LineItem, Triple
from ..pricing import CLUSTER_PRICING, Context, item, pricer, service_line


@pricer("kubernetes:core/v1:Service")
def price_service(r: Resource, ctx: Context) -> list[LineItem]:
    return _load_balancer(r, ctx, r.get("spec.type"), r.get("metadata.annotations"), "the Service (type LoadBalancer)")


@pricer("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")
def price_envoy_proxy(r: Resource, ctx: Context) -> list[LineItem]:
    """Envoy Gateway creates one LoadBalancer Service per Gateway from this template."""
    service = r.get("spec.provider.kubernetes.envoyService")
    service = service if isinstance(service, dict) else {}
    return _load_balancer(r, ctx, service.get("type", "LoadBalancer"), service.get("annotations"),
                          "the gateway's Envoy service")


def _load_balancer(r: Resource, ctx: Context, kind: Any, annotations: Any, creator: str) -> list[LineItem]:
    if kind != "LoadBalancer" or ctx.default_region is None:
        return []
    annotations = annotations if isinstance(annotations, dict) else {}
    cloud = CLUSTER_PRICING.get(ctx.catalog.cloud)
    if cloud is None:
        return [item(r, ctx, "load-balancer", "Load balancer", status="unpriced",
                     note=f"created by {creator}; no load-balancer pricing for {ctx.catalog.cloud}")]
    return cloud.load_balancer(r, ctx, annotations, creator)


@pricer("kubernetes:helm.sh/v3:Release")
def price_release(r: Resource, ctx: Context) -> list[LineItem]:
    """Charts whose volumes the platform knows: Qdrant's data volumes (gp3, one per replica) and
    kube-prometheus-stack's Prometheus volume (Grafana keeps no volume: its dashboards are ConfigMaps)."""
    if r.get("chart") == "kube-prometheus-stack" and ctx.default_region is not None:
        return _prometheus_volume(r, ctx)
    if r.get("chart") != "qdrant" or ctx.default_region is None:
        return []
    values = r.get("values")
    values = values if isinstance(values, dict) else {}
    persistence = values.get("persistence") if isinstance(values.get("persistence"), dict) else {}
    size = str(persistence.get("size", "10Gi"))
    replicas = as_number(values.get("replicaCount", 1))
    cloud = CLUSTER_PRICING.get(ctx.catalog.cloud)
    if cloud is None:
        return [item(r, ctx, "block-volume", "Qdrant volumes", status="unpriced",
                     note=f"no block-volume pricing for {ctx.catalog.cloud}")]
    sku = cloud.volume_sku
    if not size.endswith("Gi") or not size[:-2].isdigit() or replicas is None:
        return [item(r, ctx, sku, "Qdrant volumes", status="unpriced",
                     note=f"volume size {size!r} or replicas unknown")]
    total = float(size[:-2]) * replicas
    return [service_line(r, ctx, sku, Triple.same(total),
                         note=f"{replicas:g} x {size} data volumes (StorageClass of the release)")]


def _prometheus_volume(r: Resource, ctx: Context) -> list[LineItem]:
    """The Prometheus volume of a kube-prometheus-stack release (one replica, the chart's default)."""
    what = "Prometheus volume"
    cloud = CLUSTER_PRICING.get(ctx.catalog.cloud)
    if cloud is None:
        return [item(r, ctx, "block-volume", what, status="unpriced",
                     note=f"no block-volume pricing for {ctx.catalog.cloud}")]
    size = r.get("values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage")
    if not isinstance(size, str):
        return [item(r, ctx, cloud.volume_sku, what, status="unpriced", note="no persistent volume (or unknown)")]
    if not size.endswith("Gi") or not size[:-2].isdigit():
        return [item(r, ctx, cloud.volume_sku, what, status="unpriced", note=f"volume size {size!r} unknown")]
    return [service_line(r, ctx, cloud.volume_sku, Triple.same(float(size[:-2])),
                         note=f"1 x {size} Prometheus volume (StorageClass of the release)")]
