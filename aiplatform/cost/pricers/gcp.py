"""GCP services: the GKE control plane, Cloud NAT, Cloud KMS keys, Cloud Storage and Artifact Registry.

GKE node pools are priced with the other node pools (`pools.py`).
"""

from __future__ import annotations

from ...shape.resource import Resource
from ..model import LineItem, Triple
from ..pricing import CLUSTER_PRICING, ClusterPricing, Context, pricer, service_line, usage_line
from ..usage_defaults import NAT_DATA_GB


@pricer("gcp:container/cluster:Cluster")
def price_gke(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "gcp-gke-cluster", Triple.same(1),
                         note="GKE's free-tier credit (one zonal cluster per billing account) is not applied")]


@pricer("gcp:compute/routerNat:RouterNat", usage=("monthly_data_processed_gb",))
def price_cloud_nat(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "gcp-cloud-nat-gateway", Triple.same(1),
                         note="priced at the 32-VM cap; fewer VMs cost $0.0014 per VM-hour"),
            usage_line(r, ctx, "gcp-cloud-nat-data", ctx.usage_of(r).monthly_data_processed_gb,
                       "monthly_data_processed_gb", default=(NAT_DATA_GB, "per Cloud NAT gateway"))]


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
