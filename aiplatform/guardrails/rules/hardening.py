"""Hardening: node metadata and boot (IMDSv2 on EC2, shielded GKE nodes), cluster logs (EKS control
plane, GKE system and workloads), image registry hygiene."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.props import as_bool, as_list, is_unknown, known
from ...shape.resource import Resource
from ...shape.types import EC2_INSTANCE, ECR_REPOSITORY, EKS_CLUSTER, GKE_CLUSTER, GKE_NODE_POOL, LAUNCH_TEMPLATE
from .._rule import resource_rule
from ..frameworks import AUDIT_RECORDS, VULNERABILITY_SCANNING

AREA = "security"


def node_configs(resource: Resource) -> Iterator[tuple[str, Any]]:
    """(path, nodeConfig) of a node pool, or of a cluster's default pool when it declares one."""
    config = resource.get("nodeConfig")
    if resource.type == GKE_NODE_POOL or known(config):
        yield "nodeConfig", config


@resource_rule(
    "aip-security-imdsv2-required",
    area="security",
    severity=Severity.HIGH,
    types={LAUNCH_TEMPLATE, EC2_INSTANCE},
    description="Instances require IMDSv2 session tokens (metadataOptions.httpTokens: required).",
    why="With IMDSv1 a server-side request forgery in any pod reads the node role's credentials; GPU nodes "
        "run third-party model servers, which makes this the most likely path from a bug to the account.",
    remediation="Set metadataOptions.httpTokens to `required` (and httpPutResponseHopLimit to 1 so pods "
                "cannot reach the node's metadata).",
    tags=("ec2", "eks"),
)
def imdsv2_required(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    tokens = resource.get("metadataOptions.httpTokens")
    if is_unknown(tokens) or is_unknown(resource.get("metadataOptions")):
        return
    if tokens != "required":
        yield f"metadataOptions.httpTokens is {tokens if known(tokens) else 'not set (IMDSv1 allowed)'}"


@resource_rule(
    "aip-security-gke-shielded-nodes",
    area="security",
    severity=Severity.HIGH,
    types={GKE_CLUSTER, GKE_NODE_POOL},
    description="GKE nodes are shielded VMs with secure boot and integrity monitoring.",
    why="Secure boot refuses unsigned boot components and kernel modules: a rootkit on a GPU node would see "
        "every model and request that node serves.",
    remediation="Set enableShieldedNodes on the cluster and nodeConfig.shieldedInstanceConfig.enableSecureBoot "
                "(and enableIntegrityMonitoring) on every node pool.",
    tags=("hardening", "gke"),
)
def gke_shielded_nodes(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type == GKE_CLUSTER:
        shielded = resource.get("enableShieldedNodes")
        if known(shielded) and as_bool(shielded) is False:
            yield "enableShieldedNodes is false"
    for path, node in node_configs(resource):
        if is_unknown(node):
            continue
        boot = resource.get(f"{path}.shieldedInstanceConfig.enableSecureBoot")
        if not is_unknown(boot) and boot is not True:
            yield f"{path}.shieldedInstanceConfig.enableSecureBoot is not true"


@resource_rule(
    "aip-security-eks-control-plane-logging",
    area="security",
    severity=Severity.MEDIUM,
    types={EKS_CLUSTER},
    description="EKS control-plane logs (at least api, audit and authenticator) are sent to CloudWatch.",
    why="Without audit logs there is no record of who changed a workload, read a secret or scaled a GPU pool.",
    remediation="Add the missing types to enabledClusterLogTypes.",
    config={"requiredLogTypes": {
        "type": "array", "items": {"type": "string",
                                   "enum": ["api", "audit", "authenticator", "controllerManager", "scheduler"]},
        "default": ["api", "audit", "authenticator"],
        "description": "Control-plane log types that must be enabled.",
    }},
    frameworks=AUDIT_RECORDS,
    tags=("logging", "eks"),
)
def eks_control_plane_logging(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    enabled = resource.get("enabledClusterLogTypes")
    if is_unknown(enabled):
        return
    enabled = as_list(enabled)
    missing = [t for t in config["requiredLogTypes"] if t not in enabled]
    if missing:
        yield f"control-plane log types not enabled: {', '.join(missing)}"


@resource_rule(
    "aip-security-gke-logging",
    area="security",
    severity=Severity.MEDIUM,
    types={GKE_CLUSTER},
    description="GKE clusters send system and workload logs to Cloud Logging.",
    why="Without system logs there is no record of who scheduled what on a GPU node, or why it failed.",
    remediation="Set loggingConfig.enableComponents to include SYSTEM_COMPONENTS and WORKLOADS "
                "(and APISERVER for audit detail); never loggingService none.",
    tags=("logging", "gke"),
)
def gke_logging(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.get("loggingService") == "none":
        yield "loggingService is none"
        return
    components = resource.get("loggingConfig.enableComponents")
    if is_unknown(components) or not known(components):
        return  # GKE's default logs system components and workloads
    missing = [c for c in ("SYSTEM_COMPONENTS", "WORKLOADS") if c not in as_list(components)]
    if missing:
        yield f"loggingConfig.enableComponents leaves out {', '.join(missing)}"


@resource_rule(
    "aip-security-ecr-immutable-scanned",
    area="security",
    severity=Severity.MEDIUM,
    types={ECR_REPOSITORY},
    description="ECR repositories use immutable tags and scan images on push.",
    why="A mutable tag lets a push silently change what a serving deployment runs; scanning on push "
        "catches known CVEs before the image reaches a GPU node.",
    remediation="Set imageTagMutability to IMMUTABLE and imageScanningConfiguration.scanOnPush to true.",
    frameworks=VULNERABILITY_SCANNING,
    tags=("supply-chain", "ecr"),
)
def ecr_immutable_scanned(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    mutability = resource.get("imageTagMutability")
    if not is_unknown(mutability) and mutability not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        yield f"imageTagMutability is {mutability if known(mutability) else 'MUTABLE (the default)'}"
    scan = resource.get("imageScanningConfiguration.scanOnPush")
    if not is_unknown(scan) and as_bool(scan) is not True:
        yield "imageScanningConfiguration.scanOnPush is not true"
