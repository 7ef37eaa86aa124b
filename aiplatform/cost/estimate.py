"""From engine-shaped resources to priced line items: idle, expected and peak per month.

Works on the engine's `Resource` (plain props, provider props, parent and
property dependencies), so the same code prices an `aiplatform plan` and runs
inside the policy pack (`aip-cost-monthly-budget`). No provider SDK is imported.

The model, per resource type, is in the pricers (`pricers/`: node pools of both
clouds, AWS services, GCP services, what Kubernetes objects make the cloud
create); what they share is in `pricing.py`. In short:
- node pools: nodes x the hourly price, idle at the minimum, expected from the
  usage file or desiredSize, peak at the maximum; node volumes per node.
- per-hour services (control planes, NAT gateways, public IPv4, load balancers,
  interface endpoints, OpenSearch Serverless OCUs) by count; KMS keys per month.
- usage-based charges (GB stored, data processed, logs ingested) from the usage
  file; without it they are listed as usage-based and left out of the totals.
  `USAGE_FIELDS` (the fields each type's pricer reads) is what a usage file is
  checked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..catalog.instances import CLOUDS
from ..catalog.prices import PriceCatalog, prices
from ..shape.props import known
from ..shape.resource import Resource
from .model import Estimate, LineItem
from .pricers import PRICERS, USAGE_FIELDS
from .pricing import Context
from .usage import Usage

__all__ = ["FREE_PREFIXES", "FREE_TYPES", "PRICERS", "USAGE_FIELDS", "billable_unknown", "estimate_resources",
           "stack_cloud", "stack_region"]

#: Resource types that cost nothing by themselves (their cost, if any, is priced elsewhere).
FREE_TYPES = frozenset({
    "aws:autoscaling/tag:Tag", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/defaultRouteTable:DefaultRouteTable", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/internetGateway:InternetGateway", "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/networkAcl:NetworkAcl", "aws:ec2/route:Route", "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:ec2/subnet:Subnet", "aws:ec2/vpc:Vpc",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/addon:Addon", "aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:kms/alias:Alias",
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy",
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "gcp:compute/network:Network", "gcp:compute/router:Router",
    "gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:projects/iAMMember:IAMMember",
})
FREE_PREFIXES = ("aws:iam/", "aws:s3/bucket", "gcp:serviceaccount/", "pulumi:", "aiplatform:", "kubernetes:",
                 "random:", "tls:")


# ---- the estimate --------------------------------------------------------------------------------


def billable_unknown(resource_type: str) -> bool:
    return resource_type not in PRICERS and resource_type not in FREE_TYPES and not resource_type.startswith(
        FREE_PREFIXES)


def stack_cloud(resources: Iterable[Resource]) -> str:
    """The cloud whose prices apply: the one catalog cloud the stack's resources belong to (aws when none or several)."""
    clouds = {r.type.split(":", 1)[0] for r in resources} & set(CLOUDS)
    return clouds.pop() if len(clouds) == 1 else "aws"


def stack_region(resources: Iterable[Resource]) -> str | None:
    """The one cloud region the stack's providers point at (None if none or several)."""
    providers = tuple(f"pulumi:providers:{cloud}" for cloud in CLOUDS)
    packages = tuple(f"{cloud}:" for cloud in CLOUDS)
    regions = set()
    for r in resources:
        if r.type in providers and isinstance(r.get("region"), str):
            regions.add(r.get("region"))
        elif r.type.startswith(packages) and r.provider_props and isinstance(r.provider_props.get("region"), str):
            regions.add(r.provider_props["region"])
    regions = {x for x in regions if known(x)}
    return regions.pop() if len(regions) == 1 else None


def estimate_resources(resources: list[Resource], *, project: str = "", stack: str = "",
                       usage: Usage | None = None, region: str | None = None,
                       catalog: PriceCatalog | None = None, today: dt.date | None = None) -> Estimate:
    """Price every resource; the region comes from each resource's provider, else `region`, else the stack's.

    `today` is the day priced (the usage file's `estimate_date` wins, then this, then the clock)."""
    catalog = catalog or prices(stack_cloud(resources))  # type: ignore[arg-type]
    usage = usage or Usage()
    default_region = region or stack_region(resources)
    index = {r.urn: r for r in resources}
    by_name = {(r.type, r.get("name")): r for r in resources if isinstance(r.get("name"), str)}
    day = usage.defaults.estimate_date or today or dt.date.today()
    ctx = Context(catalog, usage, default_region, index, by_name, today=day)  # type: ignore[arg-type]
    items: list[LineItem] = []
    not_estimated: dict[str, int] = {}
    for r in resources:
        fn = PRICERS.get(r.type)
        if fn is not None:
            items.extend(fn(r, ctx))
        elif billable_unknown(r.type):
            not_estimated[r.type] = not_estimated.get(r.type, 0) + 1
    spot = {basis: sorted(t for t, b in ctx.spot_basis.items() if b == basis) for basis in ("data", "fallback", "usage")}
    assumptions = {"spotRatio": usage.defaults.spot_ratio or catalog.spot.ratio,
                   "spotPrices": {k: v for k, v in spot.items() if v},
                   "expectedUtilization": usage.defaults.expected_utilization,
                   "estimateDate": day.isoformat()}
    return Estimate(project=project, stack=stack, region=default_region, items=items,
                    catalog_as_of=catalog.as_of.isoformat(), assumptions=assumptions,
                    not_estimated=dict(sorted(not_estimated.items())))
