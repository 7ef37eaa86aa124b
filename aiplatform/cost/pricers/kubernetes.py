"""What Kubernetes objects make the cloud create: load balancers of Services and of the gateway's
EnvoyProxy, and the data volumes of charts the platform knows (Qdrant).

Priced from the stack's catalog (AWS or GCP); nothing here reads the usage file.
"""

from __future__ import annotations

from typing import Any

from ...shape.props import as_number
from ...shape.resource import Resource
from ..model import LineItem, Triple
from ..pricing import Context, item, pricer, service_line


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
    if ctx.catalog.cloud == "gcp":  # a passthrough load balancer: one forwarding rule, internal or external
        scheme = "internal" if annotations.get("networking.gke.io/load-balancer-type") == "Internal" else "external"
        return [service_line(r, ctx, "gcp-forwarding-rule", Triple.same(1),
                             note=f"{scheme} passthrough load balancer created by {creator}; data processing is usage-based")]
    lb = annotations.get("service.beta.kubernetes.io/aws-load-balancer-type")
    if lb in ("nlb", "external", "nlb-ip"):
        return [service_line(r, ctx, "aws-nlb", Triple.same(1), note=f"created by {creator}")]
    return [item(r, ctx, "aws-elb-classic", "Classic Load Balancer", status="unpriced",
                 note="a Service without aws-load-balancer-type: nlb gets a Classic LB, not in the catalog")]


@pricer("kubernetes:helm.sh/v3:Release")
def price_release(r: Resource, ctx: Context) -> list[LineItem]:
    """Charts whose volumes the platform knows: Qdrant's data volumes (gp3, one per replica)."""
    if r.get("chart") != "qdrant" or ctx.default_region is None:
        return []
    values = r.get("values")
    values = values if isinstance(values, dict) else {}
    persistence = values.get("persistence") if isinstance(values.get("persistence"), dict) else {}
    size = str(persistence.get("size", "10Gi"))
    replicas = as_number(values.get("replicaCount", 1))
    sku = "gcp-pd-balanced" if ctx.catalog.cloud == "gcp" else "aws-ebs-gp3"
    if not size.endswith("Gi") or not size[:-2].isdigit() or replicas is None:
        return [item(r, ctx, sku, "Qdrant volumes", status="unpriced",
                     note=f"volume size {size!r} or replicas unknown")]
    total = float(size[:-2]) * replicas
    return [service_line(r, ctx, sku, Triple.same(total),
                         note=f"{replicas:g} x {size} data volumes (StorageClass of the release)")]
