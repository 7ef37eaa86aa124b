"""IAM: least-privilege grants (AWS policy documents; GCP grants without basic roles or public members),
workload identity (IRSA trust pinned to one service account; GKE Workload Identity) and dedicated node
identities."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...catalog.iam import UNSCOPABLE_ACTIONS
from ...shape.props import as_list, is_unknown, known, parse_json
from ...shape.resource import Resource
from ...shape.types import GKE_CLUSTER, GKE_NODE_POOL
from .._rule import resource_rule
from ..frameworks import BOUNDARY, LEAST_PRIVILEGE
from .hardening import node_configs

AREA = "security"

POLICY_TYPES = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
ROLE_TYPE = "aws:iam/role:Role"
#: IAM member and binding resources: `member` (one) or `members` (many) get `role` on something.
IAM_TYPES = frozenset({
    f"gcp:{module}/{kind}:{kind[0].upper()}{kind[1:]}"
    for module, kinds in {
        "projects": ("iAMMember", "iAMBinding"),
        "organizations": ("iAMMember", "iAMBinding"),
        "folder": ("iAMMember", "iAMBinding"),
        "storage": ("bucketIAMMember", "bucketIAMBinding"),
        "serviceaccount": ("iAMMember", "iAMBinding"),
        "kms": ("cryptoKeyIAMMember", "cryptoKeyIAMBinding", "keyRingIAMMember", "keyRingIAMBinding"),
        "artifactregistry": ("repositoryIamMember", "repositoryIamBinding"),
        "vertex": ("aiEndpointIamMember", "aiEndpointIamBinding"),
    }.items()
    for kind in kinds
})
#: Basic (primitive) roles: thousands of permissions on everything in the project.
PRIMITIVE_ROLES = frozenset({"roles/owner", "roles/editor", "roles/viewer"})
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
#: The Compute Engine default service account (`<number>-compute@developer.gserviceaccount.com`).
DEFAULT_COMPUTE_SA = re.compile(r"^\d+-compute@developer\.gserviceaccount\.com$")


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
            "type": "array", "items": {"type": "string"}, "default": list(UNSCOPABLE_ACTIONS),
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


def _members(resource: Resource) -> list[str]:
    found = [resource.get("member")] + list(as_list(resource.get("members")))
    return [m for m in found if isinstance(m, str) and known(m)]


@resource_rule(
    "aip-security-gcp-iam-primitive-roles",
    area="security",
    severity=Severity.HIGH,
    types=IAM_TYPES,
    description="No IAM grant uses a basic role (owner, editor, viewer); grants use the narrowest predefined role.",
    why="Basic roles carry thousands of permissions across every service in the project: a workload that "
        "needs to read one bucket could change the project's IAM or read every secret.",
    remediation="Grant a predefined role on the resource itself, e.g. roles/storage.objectViewer on the bucket "
                "(WorkloadIdentity does).",
    frameworks=LEAST_PRIVILEGE,
    tags=("iam", "least-privilege"),
)
def gcp_iam_primitive_roles(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    role = resource.get("role")
    if isinstance(role, str) and role in PRIMITIVE_ROLES:
        yield f"grants the basic role {role} to {', '.join(_members(resource)) or 'its members'}"


@resource_rule(
    "aip-security-gcp-iam-public-members",
    area="security",
    severity=Severity.CRITICAL,
    types=IAM_TYPES,
    description="No IAM grant names allUsers or allAuthenticatedUsers.",
    why="allUsers is anyone on the internet; allAuthenticatedUsers is anyone with a Google account. Either "
        "publishes the bucket, repository or key the grant is on.",
    remediation="Grant a specific service account or group instead.",
    frameworks=BOUNDARY,
    tags=("public-access", "iam"),
)
def gcp_iam_public_members(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    public = [m for m in _members(resource) if m in PUBLIC_MEMBERS]
    if public:
        yield f"grants {resource.get('role')} to {', '.join(public)}"


@resource_rule(
    "aip-security-gke-workload-identity",
    area="security",
    severity=Severity.HIGH,
    types={GKE_CLUSTER, GKE_NODE_POOL},
    description="GKE clusters enable Workload Identity and their nodes serve it (GKE metadata server).",
    why="Without Workload Identity every pod acts as the node's service account: one compromised pod reads "
        "whatever the nodes can, and the node's credentials leak through the metadata server.",
    remediation="Set workloadIdentityConfig.workloadPool to <project>.svc.id.goog on the cluster and "
                "nodeConfig.workloadMetadataConfig.mode GKE_METADATA on every node pool.",
    frameworks=LEAST_PRIVILEGE,
    tags=("identity", "gke"),
)
def gke_workload_identity(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type == GKE_CLUSTER:
        pool = resource.get("workloadIdentityConfig.workloadPool")
        if not known(pool) and not is_unknown(pool):
            yield "workloadIdentityConfig.workloadPool is not set: pods act as the node's service account"
    for path, node in node_configs(resource):
        mode = resource.get(f"{path}.workloadMetadataConfig.mode")
        if is_unknown(node) or is_unknown(mode):
            continue
        if mode != "GKE_METADATA":
            yield f"{path}.workloadMetadataConfig.mode is {mode if known(mode) else 'unset'}, not GKE_METADATA"


@resource_rule(
    "aip-security-gke-node-service-account",
    area="security",
    severity=Severity.HIGH,
    types={GKE_CLUSTER, GKE_NODE_POOL},
    description="GKE nodes run as a dedicated service account, never the Compute Engine default account.",
    why="The default compute account has the Editor role in many projects: every node, and every pod that "
        "reaches the metadata server, could change almost anything in the project.",
    remediation="Create a service account with roles/container.defaultNodeServiceAccount only and set it as "
                "nodeConfig.serviceAccount (GkeCluster does).",
    frameworks=LEAST_PRIVILEGE,
    tags=("identity", "gke"),
)
def gke_node_service_account(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    for path, node in node_configs(resource):
        if is_unknown(node):
            continue
        account = resource.get(f"{path}.serviceAccount")
        if is_unknown(account):
            continue
        if not known(account) or account == "default":
            yield f"{path}.serviceAccount is not set: nodes run as the Compute Engine default service account"
        elif isinstance(account, str) and DEFAULT_COMPUTE_SA.match(account):
            yield f"{path}.serviceAccount is the Compute Engine default service account ({account})"
