"""From engine-shaped resources to priced line items: idle, expected and peak per month.

Works on the guardrails' `Resource` (plain props, provider props, parent and
property dependencies), so the same code prices an `aiplatform plan` and runs
inside the policy pack (`aip-cost-monthly-budget`). No provider SDK is imported.

The model, per resource type:
- node pools (EKS node groups, Auto Scaling groups, instances): nodes x the
  hourly price; idle at minSize, expected at the usage file's `expected_nodes`,
  else min + `expected_utilization` x (max - min) when one is set, else
  desiredSize; peak at maxSize. On-demand pools are priced at their first
  instance type (EKS launches the first type it has capacity for), spot pools at
  their most expensive type x the spot ratio (spot allocation follows capacity,
  not price), capacity blocks are unpriced (paid upfront when bought). The node
  volumes of the launch template are priced per node.
- per-hour services (EKS control plane, NAT gateway, public IPv4, load
  balancers, interface endpoints, OpenSearch Serverless OCUs) by count; KMS keys
  per month.
- usage-based charges (GB stored, data processed, logs ingested) from the usage
  file; without it they are listed as usage-based and left out of the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..catalog.prices import HOURS_PER_MONTH, NOT_OFFERED, PriceCatalog, prices
from ..shape.pools import GKE_NODE_POOL, POOL_TYPES, Pool, pool_of
from ..shape.props import as_list, as_number, known
from ..shape.resource import Resource
from ..shape.links import BUCKET_TYPES
from .model import Estimate, LineItem, Triple
from .usage import ResourceUsage, Usage

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
    "gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/router:Router",
    "gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:projects/iAMMember:IAMMember",
})
FREE_PREFIXES = ("aws:iam/", "aws:s3/bucket", "gcp:serviceaccount/", "pulumi:", "aiplatform:", "kubernetes:",
                 "random:", "tls:")
#: Node and volume disk types the catalog prices, by SKU.
VOLUME_SKUS = {"gp3": "aws-ebs-gp3", "pd-balanced": "gcp-pd-balanced"}
#: OpenSearch Serverless: the account's default maximum is 10 indexing + 10 search OCUs.
AOSS_DEFAULT_MAX_OCUS = 20.0


@dataclass
class Context:
    catalog: PriceCatalog
    usage: Usage
    default_region: str | None
    index: dict[str, Resource]
    by_name: dict[tuple[str, str], Resource] = field(default_factory=dict)

    def usage_of(self, r: Resource) -> ResourceUsage:
        return self.usage.for_resource(r.urn, r.name) or ResourceUsage()

    def region(self, r: Resource) -> str | None:
        for value in (r.get("region"), (r.provider_props or {}).get("region")):
            if isinstance(value, str) and known(value):
                return value
        return self.default_region

    def spot_ratio(self, instance_type: str) -> float:
        given = self.usage.defaults.spot_ratio
        return given if given is not None else self.catalog.spot_ratio(instance_type)


Pricer = Callable[[Resource, Context], list[LineItem]]
PRICERS: dict[str, Pricer] = {}


def pricer(*types: str) -> Callable[[Pricer], Pricer]:
    def register(fn: Pricer) -> Pricer:
        for t in types:
            PRICERS[t] = fn
        return fn

    return register


# ---- building line items -----------------------------------------------------------------------


def _item(r: Resource, ctx: Context, sku: str, description: str, **kw: object) -> LineItem:
    return LineItem(urn=r.urn, name=r.name, type=r.type, component=component_of(r, ctx.index), team=team_of(r),
                    sku=sku, description=description, **kw)  # type: ignore[arg-type]


def service_line(r: Resource, ctx: Context, sku: str, quantity: Triple, *, basis: str = "plan",
                 note: str = "", description: str | None = None) -> LineItem:
    """A line priced from a service SKU; unpriced when the catalog has no price for the region."""
    region = ctx.region(r)
    row = ctx.catalog.service_row(sku)
    label = description or (row.description if row else sku)
    price = ctx.catalog.service(sku, region) if region else None
    if price is None:
        why = "region unknown" if region is None else f"no {sku} price for {region} in the catalog"
        return _item(r, ctx, sku, label, status="unpriced", unit=row.unit if row else "", quantity=quantity,
                     basis=basis, note=_join(why, note))
    hours = HOURS_PER_MONTH if price.unit == "hour" else 1.0
    return _item(r, ctx, sku, label, status="priced", unit=price.unit, unit_price=price.amount, quantity=quantity,
                 monthly=quantity.scale(price.amount * hours), basis=basis, note=note, price_source=price.source,
                 price_as_of=price.as_of.isoformat())


def usage_line(r: Resource, ctx: Context, sku: str, amount: float | None, what: str) -> LineItem:
    """A usage-based charge: priced from the usage file, else listed without an amount."""
    if amount is not None:
        return service_line(r, ctx, sku, Triple.same(amount), basis="usage", note=f"{what} from the usage file")
    line = service_line(r, ctx, sku, Triple(), basis="usage")
    if line.status == "priced":
        line.status = "usage-based"
        line.note = f"depends on usage: set {what} in the usage file (${line.unit_price:g} per {line.unit})"
    return line


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# ---- who owns what -----------------------------------------------------------------------------


def component_of(r: Resource, index: dict[str, Resource]) -> str:
    """The nearest aiplatform component above a resource ("EksGpuNodePool ml-dev-inference-l4")."""
    parent = r.parent
    while parent and parent in index:
        ancestor = index[parent]
        if ancestor.type.startswith("aiplatform:index:") and ancestor.type != "aiplatform:index:AiPlatform":
            return f"{ancestor.type.rsplit(':', 1)[1]} {ancestor.name}"
        parent = ancestor.parent
    parts = r.urn.split("::")
    chain = parts[2].split("$")[:-1] if len(parts) > 3 else []
    components = [t.rsplit(":", 1)[1] for t in chain if t.startswith("aiplatform:index:")]
    return components[-1] if components else "(stack)"


def team_of(r: Resource) -> str:
    tags = r.tags
    value = tags.get("team") if isinstance(tags, dict) else None
    return value if isinstance(value, str) and known(value) else "(no team tag)"


# ---- node pools ----------------------------------------------------------------------------------


@pricer(*POOL_TYPES)
def price_pool(r: Resource, ctx: Context) -> list[LineItem]:
    pool = pool_of(r)
    assert pool is not None
    sizes = _pool_sizes(r, ctx, pool)
    if isinstance(sizes, str):
        return [_item(r, ctx, ctx.catalog.instance_sku, "Instances", status="unpriced", note=sizes)]
    nodes, basis, how = sizes
    region = ctx.region(r)
    lines = [_instance_line(r, ctx, pool, nodes, basis, how, region)]
    volume = _node_volume(r, ctx)
    if volume is not None:
        gib, vtype, where = volume
        if vtype in VOLUME_SKUS:
            lines.append(service_line(r, ctx, VOLUME_SKUS[vtype], nodes.scale(gib), basis=basis,
                                      note=f"{gib:g} GiB per node ({where})", description=f"Node volumes ({vtype})"))
        else:
            lines.append(_item(r, ctx, f"aws-ebs-{vtype}", "Node volumes", status="unpriced", quantity=nodes.scale(gib),
                               note=f"{gib:g} GiB {vtype} per node ({where}); not in the catalog"))
    return lines


def _pool_sizes(r: Resource, ctx: Context, pool: Pool) -> tuple[Triple, str, str] | str:
    if pool.min_size is None or pool.max_size is None:
        return "pool sizes are not known until apply"
    usage = ctx.usage_of(r)
    low, high = pool.min_size, pool.max_size
    utilization = usage.expected_utilization
    if utilization is None:
        utilization = ctx.usage.defaults.expected_utilization
    if usage.expected_nodes is not None:
        expected, basis, how = min(max(usage.expected_nodes, low), high), "usage", "expected_nodes from the usage file"
    elif utilization is not None:
        expected = low + utilization * (high - low)
        basis, how = "usage", f"expected = min + {utilization:g} x (max - min)"
    elif pool.desired_size is not None:
        expected, basis, how = pool.desired_size, "plan", "expected = desiredSize"
    else:
        expected, basis, how = low, "plan", "expected = minSize (desiredSize unknown)"
    return Triple(low, expected, high), basis, how


def _instance_line(r: Resource, ctx: Context, pool: Pool, nodes: Triple, basis: str, how: str,
                   region: str | None) -> LineItem:
    types = pool.instance_types
    prefix = ctx.catalog.instance_sku
    if not types:
        return _item(r, ctx, prefix, "Instances", status="unpriced", quantity=nodes,
                     note="instance types are not known until apply")
    if pool.capacity == "capacity-block":
        return _item(r, ctx, f"{prefix}-{types[0]}-capacity-block", f"{types[0]} (capacity block)",
                     status="unpriced", quantity=nodes, note="capacity blocks are paid upfront when bought")
    if region is None:
        return _item(r, ctx, f"{prefix}-{types[0]}", f"{types[0]} nodes", status="unpriced", quantity=nodes,
                     note="region unknown")
    spot = pool.capacity == "spot"
    candidates = types if spot else types[:1]
    prices = [(t, ctx.catalog.instance(t, region)) for t in candidates]
    for itype, found in prices:
        if found is None or found is NOT_OFFERED:
            why = "not offered on demand or as spot" if found is NOT_OFFERED else "no price in the catalog"
            return _item(r, ctx, f"{prefix}-{itype}", f"{itype} nodes", status="unpriced", quantity=nodes,
                         note=f"{itype}: {why} in {region}")
    itype, price = max(prices, key=lambda p: p[1].amount)  # type: ignore[union-attr]
    amount = price.amount  # type: ignore[union-attr]
    notes = [how]
    if len(types) > 1:
        notes.append(f"priced as {itype} of {', '.join(types)}")
    sku = f"{prefix}-{itype}"
    if pool.capacity == "reservation":
        notes.append("a specific reservation: billed at the on-demand rate (less any commitment) used or not")
    if spot:
        ratio = ctx.spot_ratio(itype)
        notes.append(f"spot estimate: {ratio:g} x on-demand ${amount:g}/h")
        amount, sku = amount * ratio, f"{sku}-spot"
    return _item(r, ctx, sku, f"{itype} nodes ({'spot' if spot else pool.capacity or 'on-demand'})", status="priced",
                 unit="hour",
                 unit_price=round(amount, 6), quantity=nodes, monthly=nodes.scale(amount * HOURS_PER_MONTH),
                 basis=basis, note="; ".join(notes), price_source=price.source,  # type: ignore[union-attr]
                 price_as_of=price.as_of.isoformat())  # type: ignore[union-attr]


def _node_volume(r: Resource, ctx: Context) -> tuple[float, str, str] | None:
    """(GiB per node, volume type, where it was read) of a pool's volumes."""
    if r.type == GKE_NODE_POOL:
        size = as_number(r.get("nodeConfig.diskSizeGb"))
        dtype = r.get("nodeConfig.diskType")
        # GKE's defaults: 100 GB pd-balanced
        return (size if size is not None else 100.0, dtype if isinstance(dtype, str) and known(dtype) else "pd-balanced",
                "nodeConfig.diskSizeGb")
    if r.type == "aws:ec2/instance:Instance":
        size = as_number(r.get("rootBlockDevice.volumeSize"))
        vtype = r.get("rootBlockDevice.volumeType")
        if size is None:
            return None
        return size, vtype if isinstance(vtype, str) and known(vtype) else "gp2", "root block device"
    template = _launch_template(r, ctx)
    if template is None:
        size = as_number(r.get("diskSize"))
        return (size, "unknown", "diskSize; the volume type is EKS's choice") if size is not None else None
    total, types = 0.0, set()
    for mapping in as_list(template.get("blockDeviceMappings")):
        if not isinstance(mapping, dict) or not isinstance(mapping.get("ebs"), dict):
            continue
        size = as_number(mapping["ebs"].get("volumeSize"))
        if size is None:
            continue
        total += size
        vtype = mapping["ebs"].get("volumeType")
        types.add(vtype if isinstance(vtype, str) and known(vtype) else "gp2")
    if not total:
        return None
    return total, types.pop() if len(types) == 1 else "mixed", f"launch template {template.name}"


def _launch_template(r: Resource, ctx: Context) -> Resource | None:
    for prop in ("launchTemplate", "mixedInstancesPolicy"):
        for urn in r.property_dependencies.get(prop, ()):
            found = ctx.index.get(urn)
            if found is not None and found.type == "aws:ec2/launchTemplate:LaunchTemplate":
                return found
    name = r.get("launchTemplate.name")
    if isinstance(name, str) and known(name):
        return ctx.by_name.get(("aws:ec2/launchTemplate:LaunchTemplate", name))
    return None


# ---- services ------------------------------------------------------------------------------------


@pricer("gcp:container/cluster:Cluster")
def price_gke(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "gcp-gke-cluster", Triple.same(1),
                         note="GKE's free-tier credit (one zonal cluster per billing account) is not applied")]


@pricer("gcp:compute/routerNat:RouterNat")
def price_cloud_nat(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "gcp-cloud-nat-gateway", Triple.same(1),
                         note="priced at the 32-VM cap; fewer VMs cost $0.0014 per VM-hour"),
            usage_line(r, ctx, "gcp-cloud-nat-data", ctx.usage_of(r).monthly_data_processed_gb,
                       "monthly_data_processed_gb")]


@pricer("gcp:kms/cryptoKey:CryptoKey")
def price_cloud_kms(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "gcp-kms-key", Triple.same(1),
                         note="one active version; each rotation adds a billed version while old ones are kept")]


@pricer("gcp:storage/bucket:Bucket")
def price_gcs(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "gcp-gcs-standard", ctx.usage_of(r).storage_gb, "storage_gb")]


@pricer("gcp:artifactregistry/repository:Repository")
def price_artifact_registry(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "gcp-artifact-registry-storage", ctx.usage_of(r).storage_gb, "storage_gb")]


@pricer("aws:eks/cluster:Cluster")
def price_eks(r: Resource, ctx: Context) -> list[LineItem]:
    support = r.get("upgradePolicy.supportType")
    if isinstance(support, str) and known(support):
        sku = "aws-eks-cluster-extended" if support == "EXTENDED" else "aws-eks-cluster-standard"
        note = ""
    else:
        sku, note = "aws-eks-cluster-extended", "upgradePolicy.supportType not set: AWS defaults to EXTENDED"
    return [service_line(r, ctx, sku, Triple.same(1), note=note)]


@pricer("aws:ec2/natGateway:NatGateway")
def price_nat(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "aws-nat-gateway", Triple.same(1)),
            usage_line(r, ctx, "aws-nat-gateway-data", ctx.usage_of(r).monthly_data_processed_gb,
                       "monthly_data_processed_gb")]


@pricer("aws:ec2/eip:Eip")
def price_eip(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "aws-public-ipv4", Triple.same(1))]


@pricer("aws:kms/key:Key")
def price_kms(r: Resource, ctx: Context) -> list[LineItem]:
    return [service_line(r, ctx, "aws-kms-key", Triple.same(1))]


@pricer(*BUCKET_TYPES)
def price_bucket(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "aws-s3-standard", ctx.usage_of(r).storage_gb, "storage_gb")]


@pricer("aws:ecr/repository:Repository")
def price_ecr(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "aws-ecr-storage", ctx.usage_of(r).storage_gb, "storage_gb")]


@pricer("aws:cloudwatch/logGroup:LogGroup")
def price_logs(r: Resource, ctx: Context) -> list[LineItem]:
    return [usage_line(r, ctx, "aws-cloudwatch-logs-ingest", ctx.usage_of(r).monthly_data_ingested_gb,
                       "monthly_data_ingested_gb")]


@pricer("aws:opensearch/serverlessCollection:ServerlessCollection")
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


@pricer("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
def price_lb(r: Resource, ctx: Context) -> list[LineItem]:
    kind = r.get("loadBalancerType")
    kind = kind if isinstance(kind, str) and known(kind) else "application"
    sku = {"network": "aws-nlb", "application": "aws-alb"}.get(kind)
    if sku is None:
        return [_item(r, ctx, f"aws-{kind}-lb", f"{kind} load balancer", status="unpriced",
                      note=f"{kind} load balancers are not in the catalog")]
    return [service_line(r, ctx, sku, Triple.same(1), note="capacity units (LCUs) are usage-based and not estimated")]


@pricer("aws:ec2/vpcEndpoint:VpcEndpoint")
def price_endpoint(r: Resource, ctx: Context) -> list[LineItem]:
    kind = r.get("vpcEndpointType")
    if kind != "Interface":
        return []  # Gateway endpoints (S3, DynamoDB) are free
    return _interface_endpoint(r, ctx)


@pricer("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
def price_aoss_endpoint(r: Resource, ctx: Context) -> list[LineItem]:
    """OpenSearch Serverless data-plane endpoints are PrivateLink interface endpoints, one per subnet."""
    return _interface_endpoint(r, ctx)


def _interface_endpoint(r: Resource, ctx: Context) -> list[LineItem]:
    subnets = r.get("subnetIds")
    if not isinstance(subnets, list):
        return [_item(r, ctx, "aws-vpc-interface-endpoint", "VPC interface endpoint", status="unpriced",
                      note="the number of zones (subnetIds) is not known until apply")]
    return [service_line(r, ctx, "aws-vpc-interface-endpoint", Triple.same(float(len(subnets))),
                         note=f"{len(subnets)} zone(s)")]


@pricer("aws:ebs/volume:Volume")
def price_volume(r: Resource, ctx: Context) -> list[LineItem]:
    size = as_number(r.get("size"))
    vtype = r.get("type")
    vtype = vtype if isinstance(vtype, str) and known(vtype) else "gp2"
    if size is None or vtype != "gp3":
        return [_item(r, ctx, f"aws-ebs-{vtype}", "EBS volume", status="unpriced",
                      note="size unknown" if size is None else f"{vtype}: only gp3 is in the catalog")]
    return [service_line(r, ctx, "aws-ebs-gp3", Triple.same(size))]


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
    return [_item(r, ctx, "aws-elb-classic", "Classic Load Balancer", status="unpriced",
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
        return [_item(r, ctx, sku, "Qdrant volumes", status="unpriced",
                      note=f"volume size {size!r} or replicas unknown")]
    total = float(size[:-2]) * replicas
    return [service_line(r, ctx, sku, Triple.same(total),
                         note=f"{replicas:g} x {size} data volumes (StorageClass of the release)")]


# ---- the estimate --------------------------------------------------------------------------------


def billable_unknown(resource_type: str) -> bool:
    return resource_type not in PRICERS and resource_type not in FREE_TYPES and not resource_type.startswith(
        FREE_PREFIXES)


def stack_cloud(resources: Iterable[Resource]) -> str:
    """The cloud whose prices apply: gcp when the stack has GCP resources and no AWS ones, else aws."""
    clouds = {r.type.split(":", 1)[0] for r in resources} & {"aws", "gcp"}
    return "gcp" if clouds == {"gcp"} else "aws"


def stack_region(resources: Iterable[Resource]) -> str | None:
    """The one AWS or GCP region the stack's providers point at (None if none or several)."""
    regions = set()
    for r in resources:
        if r.type in ("pulumi:providers:aws", "pulumi:providers:gcp") and isinstance(r.get("region"), str):
            regions.add(r.get("region"))
        elif r.type.startswith(("aws:", "gcp:")) and r.provider_props and isinstance(r.provider_props.get("region"), str):
            regions.add(r.provider_props["region"])
    regions = {x for x in regions if known(x)}
    return regions.pop() if len(regions) == 1 else None


def estimate_resources(resources: list[Resource], *, project: str = "", stack: str = "",
                       usage: Usage | None = None, region: str | None = None,
                       catalog: PriceCatalog | None = None) -> Estimate:
    """Price every resource; the region comes from each resource's provider, else `region`, else the stack's."""
    catalog = catalog or prices(stack_cloud(resources))  # type: ignore[arg-type]
    usage = usage or Usage()
    default_region = region or stack_region(resources)
    index = {r.urn: r for r in resources}
    by_name = {(r.type, r.get("name")): r for r in resources if isinstance(r.get("name"), str)}
    ctx = Context(catalog, usage, default_region, index, by_name)  # type: ignore[arg-type]
    items: list[LineItem] = []
    not_estimated: dict[str, int] = {}
    for r in resources:
        fn = PRICERS.get(r.type)
        if fn is not None:
            items.extend(fn(r, ctx))
        elif billable_unknown(r.type):
            not_estimated[r.type] = not_estimated.get(r.type, 0) + 1
    assumptions = {"spotRatio": usage.defaults.spot_ratio or catalog.spot.ratio,
                   "expectedUtilization": usage.defaults.expected_utilization}
    return Estimate(project=project, stack=stack, region=default_region, items=items,
                    catalog_as_of=catalog.as_of.isoformat(), assumptions=assumptions,
                    not_estimated=dict(sorted(not_estimated.items())))
