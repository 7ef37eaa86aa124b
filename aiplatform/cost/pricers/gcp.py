"""GCP services: the GKE control plane, Cloud NAT, Cloud KMS keys, Cloud Storage and Artifact Registry.

GKE node pools are priced with the other node pools (`pools.py`).
"""

from __future__ import annotations

import re

from ...shape.resource import Resource
from ..model import LineItem, Triple
from ..pools import GKE_NODE_POOL
from ..pricing import CLUSTER_PRICING, ClusterPricing, Context, item, pricer, service_line, usage_line
from ..usage_defaults import NAT_DATA_GB
from .traffic import flow_logs, gateway_access_logs, inter_zone, stack_nodes

#: GKE's free-tier credit per billing account and month (applies to one zonal or Autopilot cluster).
GKE_FREE_TIER_USD = 74.40
#: Cloud NAT bills $0.0014 per VM-hour up to the $0.044/h cap it reaches at 32 VMs.
NAT_VM_CAP = 0.044 / 0.0014


@pricer("gcp:container/cluster:Cluster", usage=("monthly_data_ingested_gb", "monthly_inter_zone_gb"))
def price_gke(r: Resource, ctx: Context) -> list[LineItem]:
    """The cluster fee (with the free-tier credit), the workload logs Cloud Logging ingests (the gateway's
    access logs by default) and the traffic between the zones its nodes span (usage-based, with defaults)."""
    usage = ctx.usage_of(r)
    components = r.get("loggingConfig.enableComponents")
    workloads = not isinstance(components, list) or "WORKLOADS" in components  # GKE logs workloads by default
    logs = usage_line(r, ctx, "gcp-cloud-logging-ingest", usage.monthly_data_ingested_gb, "monthly_data_ingested_gb",
                      default=gateway_access_logs(ctx) if workloads else None)
    zones = {z for x in ctx.index.values() if x.type == GKE_NODE_POOL
             for z in (x.get("nodeLocations") if isinstance(x.get("nodeLocations"), list) else [])}
    traffic = usage_line(r, ctx, "gcp-inter-zone-traffic", usage.monthly_inter_zone_gb, "monthly_inter_zone_gb",
                         default=inter_zone(ctx, len(zones)))
    return [*_cluster_fee(r, ctx), logs, traffic]


def _cluster_fee(r: Resource, ctx: Context) -> list[LineItem]:
    fee = service_line(r, ctx, "gcp-gke-cluster", Triple.same(1))
    location = r.get("location")
    zonal = isinstance(location, str) and re.fullmatch(r"[a-z]+-[a-z]+\d+-[a-z]", location) is not None
    autopilot = r.get("enableAutopilot") is True
    if not (zonal or autopilot):
        fee.note = "a regional Standard cluster: GKE's free-tier credit (zonal or Autopilot only) does not apply"
        return [fee]
    if not ctx.usage.defaults.gke_free_tier or fee.status != "priced":
        fee.note = "free-tier credit not applied (usage defaults.gke_free_tier: false)" if fee.status == "priced" \
            else fee.note
        return [fee]
    credit = min(fee.monthly.peak, GKE_FREE_TIER_USD)
    fee.note = "a zonal or Autopilot cluster: the free-tier credit below applies (one per billing account)"
    return [fee, item(r, ctx, "gcp-gke-free-tier", "GKE free-tier credit", status="priced", unit="month",
                      unit_price=-GKE_FREE_TIER_USD, quantity=Triple.same(1), monthly=Triple.same(-credit),
                      basis="assumption", price_source="https://cloud.google.com/kubernetes-engine/pricing",
                      note=f"${GKE_FREE_TIER_USD:.2f}/month per billing account, assumed unused elsewhere "
                           "(usage defaults.gke_free_tier: false if another cluster takes it)")]


@pricer("gcp:compute/routerNat:RouterNat", usage=("monthly_data_processed_gb",))
def price_cloud_nat(r: Resource, ctx: Context) -> list[LineItem]:
    vms = stack_nodes(ctx)  # a GCP stack's pools are GKE node pools
    if vms is None:
        gateway = service_line(r, ctx, "gcp-cloud-nat-gateway", Triple.same(1),
                               note="node counts unknown: priced at the 32-VM cap")
    else:
        capped = Triple(*(min(n, NAT_VM_CAP) for n in (vms.idle, vms.expected, vms.peak)))
        gateway = service_line(r, ctx, "gcp-cloud-nat-vm", capped,
                               note=f"$0.0014 per VM-hour for the cluster's nodes ({vms.idle:g} / {vms.expected:g} / "
                                    f"{vms.peak:g}), capped at $0.044/h (32 VMs)")
    return [gateway,
            service_line(r, ctx, "gcp-nat-ip", Triple.same(1),
                         note="one auto-allocated NAT IP (more when nodes x ports per VM exceed 64,512)"),
            usage_line(r, ctx, "gcp-cloud-nat-data", ctx.usage_of(r).monthly_data_processed_gb,
                       "monthly_data_processed_gb", default=(NAT_DATA_GB, "per Cloud NAT gateway"))]


@pricer("gcp:compute/subnetwork:Subnetwork", usage=("monthly_data_ingested_gb",))
def price_subnetwork(r: Resource, ctx: Context) -> list[LineItem]:
    """A subnetwork is free; its VPC flow logs (logConfig) are ingested into Cloud Logging."""
    if r.get("logConfig") in (None, [], {}) or not isinstance(r.get("logConfig"), dict):
        return []
    return [usage_line(r, ctx, "gcp-cloud-logging-ingest", ctx.usage_of(r).monthly_data_ingested_gb,
                       "monthly_data_ingested_gb", default=flow_logs(r, ctx))]


@pricer("gcp:kms/cryptoKey:CryptoKey")
def price_cloud_kms(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "gcp-kms-key", Triple.same(1),
                         note="one active version; each rotation adds a billed version while old ones are kept")]


@pricer("gcp:storage/bucket:Bucket", usage=("storage_gb",))
def price_gcs(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "gcp-gcs-standard", ctx.usage_of(r).storage_gb, "storage_gb")]


@pricer("gcp:artifactregistry/repository:Repository", usage=("storage_gb",))
def price_artifact_registry(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "gcp-artifact-registry-storage", ctx.usage_of(r).storage_gb, "storage_gb")]


def _service_load_balancer(r: Resource, ctx: Context, annotations: dict, creator: str) -> list[LineItem]:
    """GKE makes a passthrough load balancer: one forwarding rule, internal or external."""
    scheme = "internal" if annotations.get("networking.gke.io/load-balancer-type") == "Internal" else "external"
    return [service_line(r, ctx, "gcp-forwarding-rule", Triple.same(1),
                         note=f"{scheme} passthrough load balancer created by {creator}; data processing is usage-based")]


CLUSTER_PRICING["gcp"] = ClusterPricing(load_balancer=_service_load_balancer, volume_sku="gcp-pd-balanced")
