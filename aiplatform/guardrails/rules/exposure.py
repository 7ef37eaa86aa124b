"""No public access: bucket public-access blocks (S3, Cloud Storage), the Kubernetes API endpoint (EKS,
GKE), the vector store, security groups."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.links import BUCKET_TYPES, Attachments
from ...shape.props import as_bool, as_list, as_number, is_unknown, known, parse_json
from ...shape.resource import Resource
from ...shape.types import (
    AOSS_SECURITY_POLICY,
    DEFAULT_SECURITY_GROUP,
    EKS_CLUSTER,
    GCS_BUCKET,
    GKE_CLUSTER,
    HELM_RELEASE,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    SERVICE,
)
from .._rule import PRODUCTION_ENVIRONMENTS, resource_rule, stack_rule
from ..frameworks import BOUNDARY

AREA = "security"

PAB_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB_TYPE = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
WORLD = ("0.0.0.0/0", "::/0")


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
    blocks_of = Attachments(blocks)
    for bucket in (r for r in resources if r.type in BUCKET_TYPES):
        if not blocks_of.any_for(bucket):
            yield bucket.urn, "has no BucketPublicAccessBlock"


@resource_rule(
    "aip-security-gcs-public-access",
    area="security",
    severity=Severity.CRITICAL,
    types={GCS_BUCKET},
    description="Cloud Storage buckets enforce public access prevention and uniform bucket-level access.",
    why="Model weights and training data are the platform's most valuable data; one allUsers grant or ACL "
        "publishes them. Enforced prevention makes such a grant fail instead.",
    remediation="Set publicAccessPrevention: enforced and uniformBucketLevelAccess: true.",
    frameworks=BOUNDARY,
    tags=("public-access", "gcs"),
)
def gcs_public_access(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    prevention = resource.get("publicAccessPrevention")
    if not is_unknown(prevention) and prevention != "enforced":
        yield f"publicAccessPrevention is {prevention if known(prevention) else 'unset (inherited)'}, not enforced"
    uniform = resource.get("uniformBucketLevelAccess")
    if not is_unknown(uniform) and uniform is not True:
        yield "uniformBucketLevelAccess is not true: object ACLs can grant access past IAM"


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
    types={EKS_CLUSTER},
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
    "aip-security-gke-control-plane",
    area="security",
    severity=Severity.CRITICAL,
    types={GKE_CLUSTER},
    description="GKE clusters have private nodes, and a control plane reachable only through a private endpoint "
                "or authorized networks; never the whole internet in production.",
    why="The Kubernetes API is the keys to every GPU and secret in the cluster. Without authorized networks a "
        "public GKE endpoint accepts connections from anywhere; public nodes add an address per GPU machine.",
    remediation="Set privateClusterConfig.enablePrivateNodes, and enablePrivateEndpoint or "
                "masterAuthorizedNetworksConfig with the office/VPN CIDRs (gcpPublicCidrsAccessEnabled false).",
    config={"minPrefixLengthInProduction": {
        "type": "integer", "minimum": 0, "maximum": 32, "default": 8,
        "description": "In production, authorized networks broader than this prefix length count as the world.",
    }, **PRODUCTION_ENVIRONMENTS},
    frameworks=BOUNDARY,
    tags=("public-access", "gke"),
)
def gke_control_plane(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    private = resource.get("privateClusterConfig")
    if is_unknown(private):
        return
    if not known(private) or resource.get("privateClusterConfig.enablePrivateNodes") is not True:
        yield "nodes are not private (privateClusterConfig.enablePrivateNodes): every node gets a public address"
    if resource.get("privateClusterConfig.enablePrivateEndpoint") is True:
        return
    authorized = resource.get("masterAuthorizedNetworksConfig")
    if is_unknown(authorized):
        return
    if not known(authorized):
        yield "the control plane has a public endpoint and no masterAuthorizedNetworksConfig: open to the internet"
        return
    if resource.get("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled") is True:
        yield "gcpPublicCidrsAccessEnabled lets any Google Cloud address reach the control plane"
    blocks = resource.get("masterAuthorizedNetworksConfig.cidrBlocks")
    cidrs = [b.get("cidrBlock") for b in as_list(blocks) if isinstance(b, dict) and known(b.get("cidrBlock"))]
    if any(str(c).endswith("/0") for c in cidrs):
        yield f"authorized networks include {', '.join(c for c in cidrs if str(c).endswith('/0'))}: the whole internet"
        return
    if resource.is_production(config) is False:
        return
    broad = broad_cidrs(cidrs, config["minPrefixLengthInProduction"])
    if broad:
        yield (f"authorized networks {', '.join(broad)} open the control plane to the world (or close to it) in "
               f"production: /{int(config['minPrefixLengthInProduction'])} or narrower")


@resource_rule(
    "aip-security-vector-store-private",
    area="security",
    severity=Severity.CRITICAL,
    types={AOSS_SECURITY_POLICY, HELM_RELEASE, SERVICE},
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
    if resource.type == HELM_RELEASE:
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
    if resource.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        rules = [r for r in as_list(resource.get("ingress")) if isinstance(r, dict)]
    elif resource.type == SECURITY_GROUP_RULE:
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
    types={SECURITY_GROUP, DEFAULT_SECURITY_GROUP, SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE},
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
