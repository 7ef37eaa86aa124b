"""Hardening: IMDSv2 on nodes, control-plane logs, image registry hygiene."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.props import as_bool, as_list, is_unknown, known
from ...shape.resource import Resource
from .._rule import resource_rule


@resource_rule(
    "aip-security-imdsv2-required",
    area="security",
    severity=Severity.HIGH,
    types={"aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"},
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
    "aip-security-eks-control-plane-logging",
    area="security",
    severity=Severity.MEDIUM,
    types={"aws:eks/cluster:Cluster"},
    description="EKS control-plane logs (at least api, audit and authenticator) are sent to CloudWatch.",
    why="Without audit logs there is no record of who changed a workload, read a secret or scaled a GPU pool.",
    remediation="Add the missing types to enabledClusterLogTypes.",
    config={"requiredLogTypes": {
        "type": "array", "items": {"type": "string",
                                   "enum": ["api", "audit", "authenticator", "controllerManager", "scheduler"]},
        "default": ["api", "audit", "authenticator"],
        "description": "Control-plane log types that must be enabled.",
    }},
    frameworks=("nist-800-53:AU-12",),
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
    "aip-security-ecr-immutable-scanned",
    area="security",
    severity=Severity.MEDIUM,
    types={"aws:ecr/repository:Repository"},
    description="ECR repositories use immutable tags and scan images on push.",
    why="A mutable tag lets a push silently change what a serving deployment runs; scanning on push "
        "catches known CVEs before the image reaches a GPU node.",
    remediation="Set imageTagMutability to IMMUTABLE and imageScanningConfiguration.scanOnPush to true.",
    frameworks=("nist-800-53:RA-5",),
    tags=("supply-chain", "ecr"),
)
def ecr_immutable_scanned(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    mutability = resource.get("imageTagMutability")
    if not is_unknown(mutability) and mutability not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        yield f"imageTagMutability is {mutability if known(mutability) else 'MUTABLE (the default)'}"
    scan = resource.get("imageScanningConfiguration.scanOnPush")
    if not is_unknown(scan) and as_bool(scan) is not True:
        yield "imageScanningConfiguration.scanOnPush is not true"
