"""What Kubernetes objects make the cloud create: load balancers of Services and of the gateway's
EnvoyProxy, the data volumes of charts the platform knows (Qdrant), and the GPU time of model servers in a
stack without GPU pools (a team's stack; docs/serving.md).

Priced from the stack's catalog through the cloud's `ClusterPricing` (registered by its pricer module); only
the model servers read the usage file (`hours_per_week`).
"""

from __future__ import annotations

from typing import Any

from ...catalog.instances import DEVICE_RESOURCE, instances
from ...catalog.prices import HOURS_PER_MONTH, Price
from ...labels import ACCELERATOR_LABEL
from ...shape.links import scaler_of
from ...shape.props import as_list, as_number
from ...shape.resource import Resource
from ...shape.types import DEPLOYMENT
from ..model import LineItem, Triple
from ..pools import POOL_TYPES
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


# ---- model servers: GPU time by replica-hours ------------------------------------------------------

#: A week's share of a month (HOURS_PER_MONTH / 168).
WEEKS_PER_MONTH = HOURS_PER_MONTH / 168


def _gpus(r: Resource) -> tuple[float, str | None]:
    """Accelerators per replica (the containers' limits) and the model the pod selects."""
    spec = r.get("spec.template.spec")
    spec = spec if isinstance(spec, dict) else {}
    total = 0.0
    for container in spec.get("containers") or []:
        limits = container.get("resources", {}).get("limits") if isinstance(container, dict) else None
        for resource in set(DEVICE_RESOURCE.values()):
            total += as_number((limits or {}).get(resource)) or 0.0
    selector = spec.get("nodeSelector")
    return total, selector.get(ACCELERATOR_LABEL) if isinstance(selector, dict) else None


def _env_region(r: Resource) -> str | None:
    """A team stack has no cloud provider: the region the server's model loader is given (`AWS_REGION`)."""
    for container in as_list(r.get("spec.template.spec.containers")):
        for env in as_list(container.get("env") if isinstance(container, dict) else None):
            if isinstance(env, dict) and env.get("name") == "AWS_REGION" and isinstance(env.get("value"), str):
                return env["value"]
    return None


def _cron_hours(scaler: Resource) -> float | None:
    """Hours per week of the ScaledObject's cron windows (`m h * * days`, start and end the same days)."""
    total = None
    for trigger in as_list(scaler.get("spec.triggers")):
        meta = trigger.get("metadata") if isinstance(trigger, dict) and trigger.get("type") == "cron" else None
        if not isinstance(meta, dict):
            continue
        try:
            (m1, h1, *_, days), (m2, h2, *_) = meta["start"].split(), meta["end"].split()
            hours = (int(h2) * 60 + int(m2) - int(h1) * 60 - int(m1)) / 60 * len(days.split(","))
        except (KeyError, ValueError, AttributeError):
            return None
        total = (total or 0.0) + hours
    return total


def gpu_hour_price(ctx: Context, model: str, region: str) -> float | None:
    """The cheapest on-demand list price of one `model` GPU-hour in `region` (an instance's price / its count)."""
    best = None
    for row in instances(ctx.catalog.cloud).accelerated():
        price = ctx.catalog.instance(row.type, region)
        if row.accelerator is not None and row.accelerator.model == model and isinstance(price, Price):
            per = price.amount / row.accelerator.count
            best = per if best is None else min(best, per)
    return best


@pricer(DEPLOYMENT, usage=("hours_per_week",))
def price_model_server(r: Resource, ctx: Context) -> list[LineItem]:
    """A Deployment that requests accelerators, in a stack without GPU pools (a team's stack): its GPU time.
    Idle: the ScaledObject's minReplicaCount (0: $0 while idle, the pool scales to zero); expected: the usage
    file's `hours_per_week`, else the cron windows' hours (active hours), else the minimum around the clock;
    peak: maxReplicaCount around the clock. Where the stack has GPU pools, they are priced instead."""
    gpus, model = _gpus(r)
    if not gpus or any(o.type in POOL_TYPES for o in ctx.index.values()):
        return []
    scaler = scaler_of(r, ctx.index.values())
    replicas = as_number(r.get("spec.replicas", 1)) or 0.0
    low = as_number(scaler.get("spec.minReplicaCount", 0)) if scaler else replicas
    high = as_number(scaler.get("spec.maxReplicaCount", 100)) if scaler else replicas
    if low is None or high is None:
        return [item(r, ctx, "gpu-hour", "GPU time", status="unpriced", note="replica counts unknown")]
    given = ctx.usage_of(r).hours_per_week
    cron = _cron_hours(scaler) if scaler else None
    hours, how = ((given, "hours_per_week from the usage file") if given is not None else
                  (cron, "the active hours") if cron is not None else
                  (168.0, "always on") if low else (0.0, "at zero until used: set hours_per_week in the usage file"))
    expected_replicas = max(low, 1.0) if cron is not None or given is not None else low
    per_month = hours * WEEKS_PER_MONTH
    quantity = Triple(low * gpus * HOURS_PER_MONTH, expected_replicas * gpus * per_month, high * gpus * HOURS_PER_MONTH)
    region = ctx.region(r) or _env_region(r)
    price = gpu_hour_price(ctx, model, region) if model and region else None
    what = f"{gpus:g} {model or '?'} GPU x replicas ({low:g} to {high:g})"
    if price is None:
        why = "region unknown (pass --region)" if region is None else f"no {model} price in {region}"
        return [item(r, ctx, "gpu-hour", "GPU time", status="unpriced", unit="hour", quantity=quantity,
                     note=f"{what}; {why}")]
    note = f"{what}; expected {hours:g} h/week ({how})" + ("; $0 idle at zero" if low == 0 else "")
    return [item(r, ctx, "gpu-hour", "GPU time", status="priced", unit="hour", unit_price=round(price, 4),
                 quantity=quantity, monthly=quantity.scale(price), basis="usage" if given is not None else "plan",
                 note=note, price_source="the catalog's cheapest instance with this GPU, per GPU")]
