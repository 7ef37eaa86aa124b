"""IAM: least-privilege policy documents and IRSA trust pinned to one service account."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.props import as_list, is_unknown, known, parse_json
from ...shape.resource import Resource
from .._rule import resource_rule

POLICY_TYPES = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
ROLE_TYPE = "aws:iam/role:Role"
LEAST_PRIVILEGE = ("nist-800-53:AC-6",)

#: AWS APIs that take no resource ARN, so `Resource: "*"` is the only way to grant them.
UNSCOPABLE_ACTIONS = [
    "ecr:GetAuthorizationToken",
    "sts:GetCallerIdentity",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
    "aoss:ListCollections",
    "aoss:BatchGetCollection",
    "sagemaker:ListModelPackageGroups",
]


def policy_documents(resource: Resource) -> Iterator[tuple[str, Any]]:
    """(where, parsed document) for every permissions document a resource carries; unknown ones are skipped."""
    if resource.type in POLICY_TYPES:
        candidates = [("policy", resource.get(POLICY_TYPES[resource.type]))]
    elif resource.type == ROLE_TYPE:
        candidates = [(f"inlinePolicies[{i}]", p.get("policy") if isinstance(p, dict) else None)
                      for i, p in enumerate(as_list(resource.get("inlinePolicies")))]
    else:
        return
    for where, raw in candidates:
        document = parse_json(raw)
        if not is_unknown(document) and known(raw):
            yield where, document


def _statements(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def _tag_scoped(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    return any(isinstance(block, dict) and any(str(k).startswith("aws:ResourceTag/") for k in block)
               for block in condition.values())


@resource_rule(
    "aip-security-iam-no-wildcards",
    area="security",
    severity=Severity.HIGH,
    types=set(POLICY_TYPES) | {ROLE_TYPE},
    description="IAM policies grant no `*` actions and no `*` resources outside an allow-list.",
    why="Workload roles are reachable from pods that run third-party model servers; a wildcard turns one "
        "compromised pod into control of the account.",
    remediation="Name the actions and the resource ARNs (bucket/prefix, repository, collection). APIs that take "
                "no ARN belong in `unscopableActions`; a `*` resource scoped by an aws:ResourceTag condition "
                "is accepted.",
    config={
        "unscopableActions": {
            "type": "array", "items": {"type": "string"}, "default": UNSCOPABLE_ACTIONS,
            "description": "Actions that AWS only grants on `Resource: \"*\"`.",
        },
        "allowTagScopedWildcards": {
            "type": "boolean", "default": True,
            "description": "Accept `Resource: \"*\"` when the statement has an aws:ResourceTag condition.",
        },
    },
    frameworks=LEAST_PRIVILEGE,
    tags=("iam",),
)
def iam_no_wildcards(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    allowed = set(config["unscopableActions"])
    for where, document in policy_documents(resource):
        if document is None:
            yield f"{where} is not a valid JSON policy document"
            continue
        for index, statement in enumerate(_statements(document)):
            if statement.get("Effect") != "Allow":
                continue
            label = f"{where} statement {statement.get('Sid') or index}"
            if "NotAction" in statement:
                yield f"{label} uses NotAction (grants everything else)"
            actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
            wild = [a for a in actions if a == "*" or a.endswith(":*")]
            if wild:
                yield f"{label} grants wildcard actions: {', '.join(wild)}"
            if "NotResource" in statement:
                yield f"{label} uses NotResource (grants every other resource)"
            resources = as_list(statement.get("Resource"))
            if "*" in resources:
                if config["allowTagScopedWildcards"] and _tag_scoped(statement):
                    continue
                unscoped = [a for a in actions if a not in allowed and a not in wild]
                if unscoped:
                    yield f"{label} grants {', '.join(unscoped)} on Resource \"*\""


def _trust_problems(statement: dict[str, Any]) -> Iterator[str]:
    condition = statement.get("Condition") if isinstance(statement.get("Condition"), dict) else {}
    equals = condition.get("StringEquals") if isinstance(condition.get("StringEquals"), dict) else {}
    for suffix, expected in ((":sub", None), (":aud", "sts.amazonaws.com")):
        keys = [k for k in equals if str(k).endswith(suffix)]
        if not keys:
            loose = [op for op, block in condition.items()
                     if isinstance(block, dict) and any(str(k).endswith(suffix) for k in block)]
            how = f" (only with {', '.join(loose)})" if loose else ""
            yield f"does not pin {suffix[1:]} with StringEquals{how}"
            continue
        for key in keys:
            values = [v for v in as_list(equals[key]) if known(v)]
            if expected and values and any(v != expected for v in values):
                yield f"{key} must be {expected}"


@resource_rule(
    "aip-security-irsa-trust-pinned",
    area="security",
    severity=Severity.HIGH,
    types={ROLE_TYPE},
    description="Roles assumed through an OIDC provider (IRSA) pin the service account (`sub`) and the audience "
                "(`aud`) with StringEquals.",
    why="Without a `sub` condition any service account in any namespace of the cluster (or of any cluster "
        "sharing the provider) can assume the role.",
    remediation="Add Condition.StringEquals with `<issuer>:sub` = `system:serviceaccount:<namespace>:<name>` "
                "and `<issuer>:aud` = `sts.amazonaws.com`.",
    frameworks=LEAST_PRIVILEGE,
    tags=("iam", "eks"),
)
def irsa_trust_pinned(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    document = parse_json(resource.get("assumeRolePolicy"))
    if is_unknown(document) or document is None:
        return
    for index, statement in enumerate(_statements(document)):
        actions = as_list(statement.get("Action"))
        if statement.get("Effect") != "Allow" or "sts:AssumeRoleWithWebIdentity" not in actions:
            continue
        for problem in _trust_problems(statement):
            yield f"trust statement {statement.get('Sid') or index} {problem}"
