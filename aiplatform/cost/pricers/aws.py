"""AWS services: the EKS control plane, NAT gateways, public IPv4, KMS keys, S3, ECR, CloudWatch Logs,
OpenSearch Serverless, load balancers, VPC endpoints and EBS volumes.

Per-hour services by count, KMS keys per month; usage-based charges (GB stored,
data processed, logs ingested) from the usage file. EKS node groups, Auto
Scaling groups and instances are priced with the other node pools (`pools.py`).
"""

from __future__ import annotations

from ...catalog.eks import support_of
from ...shape.links import BUCKET_TYPES
from ...shape.props import as_number, known
from ...shape.resource import Resource
from ..model import LineItem, Triple
from ..pricing import CLUSTER_PRICING, ClusterPricing, Context, item, pricer, service_line, usage_line
from ..usage_defaults import (
    AMP_SERIES_PER_CHART,
    AMP_SERIES_PER_MONITOR,
    NAT_DATA_GB,
    amp_monthly_samples_millions,
    amp_storage_gb,
    control_plane_logs_gb,
)
from .traffic import inter_zone

#: OpenSearch Serverless: the account's default maximum is 10 indexing + 10 search OCUs.
AOSS_DEFAULT_MAX_OCUS = 20.0


@pricer("aws:eks/cluster:Cluster", usage=("monthly_inter_zone_gb",))
def price_eks(r: Resource, ctx: Context) -> list[LineItem]:
    """The control plane and the traffic between the zones its nodes span (usage-based, with a default)."""
    zones = {z for x in ctx.index.values() if x.type == "aws:ec2/subnet:Subnet"
             for z in [x.get("availabilityZone")] if isinstance(z, str) and known(z)}
    # an existing VPC's subnets are not in the plan: EKS needs subnets in two zones at least
    traffic = usage_line(r, ctx, "aws-data-transfer-inter-az", ctx.usage_of(r).monthly_inter_zone_gb,
                         "monthly_inter_zone_gb", default=inter_zone(ctx, max(len(zones), 2)))
    return [*_control_plane(r, ctx), traffic]


def _control_plane(r: Resource, ctx: Context) -> list[LineItem]:
    """Standard support, or extended support only for a version past its standard window on the day priced.

    Past the window, AWS bills extended support when `upgradePolicy.supportType` is EXTENDED or unset (its
    default) and auto-upgrades a STANDARD cluster instead. A version the support table does not list is priced
    as before: extended unless supportType says STANDARD."""
    support = r.get("upgradePolicy.supportType")
    support = support if isinstance(support, str) and known(support) else None
    version = r.get("version")
    window = support_of(version) if isinstance(version, str) and known(version) else None
    standard, extended = "aws-eks-cluster-standard", "aws-eks-cluster-extended"
    if window is None:
        sku = standard if support == "STANDARD" else extended
        note = (f"Kubernetes {version if isinstance(version, str) and known(version) else '(unknown)'}: not in the "
                "EKS support table; " + ("supportType STANDARD" if support == "STANDARD" else
                                         f"supportType {support or 'not set (AWS defaults to EXTENDED)'}"))
        return [service_line(r, ctx, sku, Triple.same(1), note=note)]
    on = ctx.today.isoformat()
    if ctx.today <= window.end_of_standard:
        note = (f"Kubernetes {version} is in standard support until {window.end_of_standard} (priced as of {on}); "
                f"extended support after it unless supportType is STANDARD")
        return [service_line(r, ctx, standard, Triple.same(1), note=note)]
    if support == "STANDARD":
        note = (f"Kubernetes {version} left standard support on {window.end_of_standard}; supportType STANDARD: "
                "AWS auto-upgrades the cluster instead of billing extended support")
        return [service_line(r, ctx, standard, Triple.same(1), note=note)]
    note = (f"Kubernetes {version} left standard support on {window.end_of_standard} (priced as of {on}); "
            f"supportType {support or 'not set (AWS defaults to EXTENDED)'}")
    return [service_line(r, ctx, extended, Triple.same(1), note=note)]


@pricer("aws:ec2/natGateway:NatGateway", usage=("monthly_data_processed_gb",))
def price_nat(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "aws-nat-gateway", Triple.same(1)),
            usage_line(r, ctx, "aws-nat-gateway-data", ctx.usage_of(r).monthly_data_processed_gb,
                       "monthly_data_processed_gb", default=(NAT_DATA_GB, "per NAT gateway"))]


@pricer("aws:ec2/eip:Eip")
def price_eip(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "aws-public-ipv4", Triple.same(1))]


@pricer("aws:kms/key:Key")
def price_kms(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "aws-kms-key", Triple.same(1))]


@pricer(*BUCKET_TYPES, usage=("storage_gb",))
def price_bucket(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "aws-s3-standard", ctx.usage_of(r).storage_gb, "storage_gb")]


@pricer("aws:ecr/repository:Repository", usage=("storage_gb",))
def price_ecr(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "aws-ecr-storage", ctx.usage_of(r).storage_gb, "storage_gb")]


@pricer("aws:cloudwatch/logGroup:LogGroup", usage=("monthly_data_ingested_gb",))
def price_logs(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "aws-cloudwatch-logs-ingest", ctx.usage_of(r).monthly_data_ingested_gb,
                       "monthly_data_ingested_gb", default=_control_plane_logs(r, ctx))]


def _control_plane_logs(r: Resource, ctx: Context) -> tuple[float, str] | None:
    """The EKS cluster writing into this log group (/aws/eks/<cluster>/cluster) and its enabled log types."""
    name = r.get("name")
    if not isinstance(name, str) or not name.startswith("/aws/eks/") or not name.endswith("/cluster"):
        return None
    cluster = ctx.by_name.get(("aws:eks/cluster:Cluster", name[len("/aws/eks/"):-len("/cluster")]))
    types = cluster.get("enabledClusterLogTypes") if cluster is not None else None
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types) or not types:
        return None
    return control_plane_logs_gb(types), f"control-plane log types {', '.join(types)}"


@pricer("aws:opensearch/serverlessCollection:ServerlessCollection", usage=("ocus", "max_ocus", "storage_gb"))
def price_aoss(r: Resource, ctx: Context) -> list[LineItem]:
    usage = ctx.usage_of(r)
    standby = r.get("standbyReplicas")
    minimum = 1.0 if standby == "DISABLED" else 2.0
    expected = usage.ocus if usage.ocus is not None else minimum
    peak = usage.max_ocus if usage.max_ocus is not None else AOSS_DEFAULT_MAX_OCUS
    note = (f"minimum {minimum:g} OCUs (standby replicas {'off' if minimum == 1 else 'on'}); "
            f"peak {'max_ocus from the usage file' if usage.max_ocus is not None else 'the account default maximum'}")
    return [service_line(r, ctx, "aws-aoss-ocu", Triple(minimum, max(expected, minimum), max(peak, expected)),
                         basis="usage" if usage.ocus is not None else "plan", note=note),
            usage_line(r, ctx, "aws-aoss-storage", usage.storage_gb, "storage_gb")]


def _scraped_series(ctx: Context) -> tuple[float, str]:
    """Active series the plan's scrape targets imply (usage defaults), and what they were counted from."""
    charts: dict[str, int] = {}
    monitors: dict[str, int] = {}
    for other in ctx.index.values():
        if other.type == "kubernetes:helm.sh/v3:Release" and other.get("chart") in AMP_SERIES_PER_CHART:
            charts[other.get("chart")] = charts.get(other.get("chart"), 0) + 1
        kind = other.type.rsplit(":", 1)[-1]
        if other.type.startswith("kubernetes:monitoring.coreos.com/") and kind in AMP_SERIES_PER_MONITOR:
            monitors[kind] = monitors.get(kind, 0) + 1
    series = (sum(AMP_SERIES_PER_CHART[c] * n for c, n in charts.items())
              + sum(AMP_SERIES_PER_MONITOR[k] * n for k, n in monitors.items()))
    parts = [f"{n} {c}" for c, n in sorted(charts.items())] + [f"{n} {k}" for k, n in sorted(monitors.items())]
    return series, f"{series:,.0f} active series from the plan's scrape targets ({', '.join(parts) or 'none'})"


@pricer("aws:amp/workspace:Workspace", usage=("monthly_samples_ingested_millions", "storage_gb"))
def price_amp(r: Resource, ctx: Context) -> list[LineItem]:
    """Samples ingested (first tier) and stored; the default volume is the plan's scrape targets at 30 s."""
    usage = ctx.usage_of(r)
    series, how = _scraped_series(ctx)
    samples = amp_monthly_samples_millions(series)
    stored = amp_storage_gb(usage.monthly_samples_ingested_millions if usage.monthly_samples_ingested_millions
                            is not None else samples)
    return [usage_line(r, ctx, "aws-amp-ingest", usage.monthly_samples_ingested_millions,
                       "monthly_samples_ingested_millions", default=(samples, f"{how}, every 30 s") if series else None),
            usage_line(r, ctx, "aws-amp-storage", usage.storage_gb, "storage_gb",
                       default=(stored, "2 bytes a sample, 150 days' retention") if series else None)]


@pricer("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
def price_lb(r: Resource, ctx: Context) -> list[LineItem]:
    kind = r.get("loadBalancerType")
    kind = kind if isinstance(kind, str) and known(kind) else "application"
    sku = {"network": "aws-nlb", "application": "aws-alb"}.get(kind)
    if sku is None:
        return [item(r, ctx, f"aws-{kind}-lb", f"{kind} load balancer", status="unpriced",
                     note=f"{kind} load balancers are not in the catalog")]
    return [service_line(r, ctx, sku, Triple.same(1), note="capacity units (LCUs) are usage-based and not estimated")]


@pricer("aws:ec2/vpcEndpoint:VpcEndpoint")
def price_endpoint(r: Resource, ctx: Context) -> list[LineItem]:
    kind = r.get("vpcEndpointType")
    if kind == "Gateway":  # S3 and DynamoDB gateway endpoints are free: shown, at $0
        return [item(r, ctx, "aws-vpc-gateway-endpoint", "VPC gateway endpoint", status="priced", unit="month",
                     unit_price=0.0, quantity=Triple.same(1), monthly=Triple.same(0),
                     note="gateway endpoints have no hourly or data charge; traffic to the service skips NAT")]
    if kind != "Interface":
        return []
    return _interface_endpoint(r, ctx)


@pricer("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
def price_aoss_endpoint(r: Resource, ctx: Context) -> list[LineItem]:
    """OpenSearch Serverless data-plane endpoints are PrivateLink interface endpoints, one per subnet."""
    return _interface_endpoint(r, ctx)


def _interface_endpoint(r: Resource, ctx: Context) -> list[LineItem]:
    subnets = r.get("subnetIds")
    if not isinstance(subnets, list):
        return [item(r, ctx, "aws-vpc-interface-endpoint", "VPC interface endpoint", status="unpriced",
                     note="the number of zones (subnetIds) is not known until apply")]
    return [service_line(r, ctx, "aws-vpc-interface-endpoint", Triple.same(float(len(subnets))),
                         note=f"{len(subnets)} zone(s)")]


@pricer("aws:ebs/volume:Volume")
def price_volume(r: Resource, ctx: Context) -> list[LineItem]:
    size = as_number(r.get("size"))
    vtype = r.get("type")
    vtype = vtype if isinstance(vtype, str) and known(vtype) else "gp2"
    if size is None or vtype != "gp3":
        return [item(r, ctx, f"aws-ebs-{vtype}", "EBS volume", status="unpriced",
                     note="size unknown" if size is None else f"{vtype}: only gp3 is in the catalog")]
    return [service_line(r, ctx, "aws-ebs-gp3", Triple.same(size))]


def _service_load_balancer(r: Resource, ctx: Context, annotations: dict, creator: str) -> list[LineItem]:
    """The AWS load balancer controller makes an NLB when asked; the in-tree controller a Classic LB."""
    lb = annotations.get("service.beta.kubernetes.io/aws-load-balancer-type")
    if lb in ("nlb", "external", "nlb-ip"):
        return [service_line(r, ctx, "aws-nlb", Triple.same(1), note=f"created by {creator}")]
    return [item(r, ctx, "aws-elb-classic", "Classic Load Balancer", status="unpriced",
                 note="a Service without aws-load-balancer-type: nlb gets a Classic LB, not in the catalog")]


CLUSTER_PRICING["aws"] = ClusterPricing(load_balancer=_service_load_balancer, volume_sku="aws-ebs-gp3")
