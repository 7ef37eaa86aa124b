"""No public access: S3 public-access blocks, the EKS API endpoint, the vector store, security groups."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.props import as_bool, as_list, as_number, is_unknown, known, parse_json
from ...shape.resource import Resource
from .._rule import PRODUCTION_ENVIRONMENTS, resource_rule, stack_rule
from ...shape.links import BUCKET_TYPES, attached

PAB_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB_TYPE = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
WORLD = ("0.0.0.0/0", "::/0")
BOUNDARY = ("nist-800-53:SC-7",)


def _open_flags(resource: Resource) -> list[str] | None:
    """The public-access flags not set to true; None when one is unknown."""
    values = {flag: resource.get(flag) for flag in PAB_FLAGS}
    if any(is_unknown(v) for v in values.values()):
        return None
    return [flag for flag, value in values.items() if as_bool(value) is not True]


@stack_rule(
    "aip-security-s3-public-access-block",
    area="security",
    severity=Severity.CRITICAL,
    description="Every S3 bucket has a complete public-access block (all four settings on).",
    why="One public ACL or bucket policy on a model registry publishes the models; the block makes that "
        "impossible whatever a later policy says.",
    remediation="Add a BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, "
                "ignorePublicAcls and restrictPublicBuckets all true (or an account-level block).",
    reads=BUCKET_TYPES | {PAB_TYPE, ACCOUNT_PAB_TYPE},
    frameworks=BOUNDARY,
    tags=("public-access", "s3"),
)
def s3_public_access_block(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    blocks = [r for r in resources if r.type == PAB_TYPE]
    for block in blocks:
        open_flags = _open_flags(block)
        if open_flags:
            yield block.urn, f"not set to true: {', '.join(open_flags)}"
    if any(_open_flags(r) == [] for r in resources if r.type == ACCOUNT_PAB_TYPE):
        return  # the account-level block covers every bucket
    for bucket in (r for r in resources if r.type in BUCKET_TYPES):
        if not attached(bucket, blocks):
            yield bucket.urn, "has no BucketPublicAccessBlock"


def broad_cidrs(cidrs: list[Any], min_prefix: float) -> list[str]:
    """The CIDRs broader than `min_prefix` (so 0.0.0.0/1 + 128.0.0.0/1 count as the world, like 0.0.0.0/0)."""
    broad = []
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            continue
        if network.prefixlen < min_prefix:
            broad.append(str(cidr))
    return broad


@resource_rule(
    "aip-security-eks-public-endpoint",
    area="security",
    severity=Severity.CRITICAL,
    types={"aws:eks/cluster:Cluster"},
    description="A public EKS API endpoint is limited to an allow-list of CIDRs, never 0.0.0.0/0 in production.",
    why="The Kubernetes API is the keys to every GPU and secret in the cluster; a world-reachable endpoint "
        "is one leaked token away from a breach. EKS opens it to 0.0.0.0/0 when no CIDRs are given.",
    remediation="Make the endpoint private (endpointPublicAccess: false, endpointPrivateAccess: true) or "
                "list the office/VPN CIDRs in vpcConfig.publicAccessCidrs.",
    config={"minPrefixLengthInProduction": {
        "type": "integer", "minimum": 0, "maximum": 128, "default": 8,
        "description": "In production, public CIDRs broader than this prefix length count as open to the world "
                       "(so 0.0.0.0/1 + 128.0.0.0/1 is caught like 0.0.0.0/0).",
    }, **PRODUCTION_ENVIRONMENTS},
    frameworks=BOUNDARY,
    tags=("public-access", "eks"),
)
def eks_public_endpoint(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    public = resource.get("vpcConfig.endpointPublicAccess")
    if is_unknown(public) or is_unknown(resource.get("vpcConfig")):
        return
    if known(public) and as_bool(public) is False:
        return  # EKS defaults endpointPublicAccess to true
    cidrs = resource.get("vpcConfig.publicAccessCidrs")
    if is_unknown(cidrs):
        return
    cidrs = [c for c in as_list(cidrs) if known(c)]
    if not cidrs:
        yield "the API endpoint is public with no publicAccessCidrs, so EKS opens it to 0.0.0.0/0"
        return
    if resource.is_production(config) is False:
        return
    broad = broad_cidrs(cidrs, config["minPrefixLengthInProduction"])
    if broad:
        yield (f"the API endpoint is open to {', '.join(broad)} in production (the world, or close to it: "
               f"publicAccessCidrs must be /{int(config['minPrefixLengthInProduction'])} or narrower)")


@resource_rule(
    "aip-security-vector-store-private",
    area="security",
    severity=Severity.CRITICAL,
    types={"aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "kubernetes:helm.sh/v3:Release",
           "kubernetes:core/v1:Service"},
    description="The vector store is reachable only privately (a VPC endpoint or inside the cluster).",
    why="A vector store holds the embedded text of private documents; public network access exposes it to "
        "credential stuffing and data exfiltration.",
    remediation="OpenSearch Serverless: a network policy with AllowFromPublic false and SourceVPCEs. "
                "Qdrant: a ClusterIP service, or an internal load balancer.",
    frameworks=BOUNDARY,
    tags=("public-access", "vector-store"),
)
def vector_store_private(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type.startswith("aws:"):
        if resource.get("type") != "network":
            return
        policy = parse_json(resource.get("policy"))
        if is_unknown(policy):
            return
        for index, rule in enumerate(as_list(policy)):
            if isinstance(rule, dict) and as_bool(rule.get("AllowFromPublic")) is True:
                yield f"network policy rule {index} allows access from the public internet"
        return
    if resource.type == "kubernetes:helm.sh/v3:Release":
        if resource.get("chart") != "qdrant":
            return
        service = resource.get("values.service")
    else:
        labels = resource.tags if isinstance(resource.tags, dict) else {}
        if labels.get("app.kubernetes.io/name") != "qdrant":
            return
        service = {"type": resource.get("spec.type"), "annotations": resource.get("metadata.annotations")}
    if isinstance(service, dict) and service.get("type") == "LoadBalancer":
        annotations = service.get("annotations") if isinstance(service.get("annotations"), dict) else {}
        internal = (annotations.get("service.beta.kubernetes.io/aws-load-balancer-scheme") == "internal"
                    or annotations.get("networking.gke.io/load-balancer-type") == "Internal")
        if not internal:
            yield "Qdrant is exposed through an internet-facing LoadBalancer service"


def _world_rules(resource: Resource) -> Iterator[tuple[float | None, float | None, Any, str]]:
    """(fromPort, toPort, protocol, cidr) of every ingress rule open to the world."""
    if resource.type in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        rules = [r for r in as_list(resource.get("ingress")) if isinstance(r, dict)]
    elif resource.type == "aws:ec2/securityGroupRule:SecurityGroupRule":
        rules = [resource.props] if resource.get("type") == "ingress" else []
    else:  # aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
        rules = [{"fromPort": resource.get("fromPort"), "toPort": resource.get("toPort"),
                  "protocol": resource.get("ipProtocol"),
                  "cidrBlocks": [resource.get("cidrIpv4")], "ipv6CidrBlocks": [resource.get("cidrIpv6")]}]
    for rule in rules:
        for cidr in as_list(rule.get("cidrBlocks")) + as_list(rule.get("ipv6CidrBlocks")):
            if cidr in WORLD:
                yield (as_number(rule.get("fromPort")), as_number(rule.get("toPort")), rule.get("protocol"), cidr)


@resource_rule(
    "aip-security-sg-world-ingress",
    area="security",
    severity=Severity.HIGH,
    types={"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
           "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"},
    description="Security groups are not open to the internet, except HTTPS (443) on a gateway.",
    why="GPU nodes run model servers, notebooks and debug ports that were never meant to face the internet.",
    remediation="Restrict the source to known CIDRs or security groups; for an internet-facing gateway, open "
                "only 443 and tag the group `aiplatform.io/role: gateway`.",
    config={"gatewayPorts": {
        "type": "array", "items": {"type": "number"}, "default": [443],
        "description": "Ports a resource tagged `aiplatform.io/role: gateway` may open to the world.",
    }},
    frameworks=BOUNDARY,
    tags=("public-access", "network"),
)
def sg_world_ingress(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    tags = resource.tags if isinstance(resource.tags, dict) else {}
    gateway = tags.get("aiplatform.io/role") == "gateway"
    for low, high, protocol, cidr in _world_rules(resource):
        protocol_text = str(protocol)
        high = high if high is not None else low
        if gateway and low == high and low in config["gatewayPorts"] and protocol_text in ("tcp", "6"):
            continue
        ports = "all ports" if protocol_text in ("-1", "all") or low is None else (
            f"port {low:g}" if low == high else f"ports {low:g}-{high:g}")
        yield f"allows {ports} from {cidr}"
