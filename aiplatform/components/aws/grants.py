"""Typed grants, rendered to least-privilege IAM policy statements.

A grant names *what* a workload may do ("read models under prefix X", "pull
images from repository Z"); this module decides the narrowest actions and the
resource ARNs. It is pure (no Pulumi, no SDK), so the exact documents a
`WorkloadRole` attaches can be linted and exercised against moto in tests.

Rules the rendering keeps:
- no `*` action and no `NotAction`/`NotResource`;
- `Resource: "*"` only for `ecr:GetAuthorizationToken`, which takes no resource ARN;
- KMS use only through the service that owns the data (`kms:ViaService`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypedDict

GrantKind = Literal[
    "models-read",
    "models-write",
    "model-packages-read",
    "model-packages-write",
    "images-pull",
    "images-push",
    "vector-read",
    "vector-write",
    "metrics-write",
]
GRANT_KINDS: tuple[str, ...] = GrantKind.__args__  # type: ignore[attr-defined]

#: The fields each grant kind needs (besides `kind`).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "models-read": ("bucket_arn",),
    "models-write": ("bucket_arn",),
    "model-packages-read": ("model_package_group_arns",),
    "model-packages-write": ("model_package_group_arns",),
    "images-pull": ("repository_arn",),
    "images-push": ("repository_arn",),
    "vector-read": ("collection_arn",),
    "vector-write": ("collection_arn",),
    "metrics-write": ("workspace_arn",),
}

#: The one action a grant renders on `Resource: "*"`: it takes no resource ARN.
ECR_TOKEN = "ecr:GetAuthorizationToken"

S3_READ = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"]
S3_WRITE = ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload", "s3:DeleteObject"]
S3_LIST = ["s3:ListBucket", "s3:ListBucketVersions"]
KMS_READ = ["kms:Decrypt"]
KMS_WRITE = ["kms:Decrypt", "kms:GenerateDataKey"]
PACKAGES_READ = ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage",
                 "sagemaker:ListModelPackages"]
PACKAGES_WRITE = ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage", "sagemaker:AddTags"]
ECR_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
ECR_PUSH = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]
AOSS_API = ["aoss:APIAccessAll"]
#: Prometheus remote write into one Amazon Managed Service for Prometheus workspace (no query, no admin).
APS_REMOTE_WRITE = ["aps:RemoteWrite"]


class GrantArgs(TypedDict, total=False):
    """One permission of a workload. `kind` says what; the other fields say on which resource."""

    kind: GrantKind
    """What the workload may do (required): models-read, models-write, model-packages-read,
    model-packages-write, images-pull, images-push, vector-read, vector-write, metrics-write."""
    bucket_arn: str
    """The model bucket (models-*)."""
    prefix: str
    """Key prefix the grant is limited to, e.g. `teams/search/` (models-*). Default: the whole bucket."""
    kms_key_arn: str
    """The key the bucket is encrypted with (models-*). Default: none (no KMS statement)."""
    region: str
    """Region of the bucket, for the `kms:ViaService` condition (models-* with a key)."""
    model_package_group_arns: Sequence[str]
    """SageMaker model package groups (model-packages-*)."""
    repository_arn: str
    """ECR repository (images-*)."""
    collection_arn: str
    """OpenSearch Serverless collection (vector-*)."""
    workspace_arn: str
    """Amazon Managed Service for Prometheus workspace (metrics-write)."""


class GrantError(ValueError):
    """A grant that cannot be rendered; `problems` lists (path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))


def grant_problems(grants: Sequence[Mapping[str, Any]], path: str = "grants") -> list[tuple[str, str]]:
    """Every problem of a list of grants (unknown kind, missing or misplaced fields)."""
    found: list[tuple[str, str]] = []
    for i, grant in enumerate(grants):
        where = f"{path}[{i}]"
        kind = grant.get("kind")
        if kind not in REQUIRED_FIELDS:
            found.append((f"{where}.kind", f"unknown grant kind {kind!r} (one of: {', '.join(GRANT_KINDS)})"))
            continue
        for field in REQUIRED_FIELDS[kind]:
            if not grant.get(field):
                found.append((f"{where}.{field}", f"required for {kind}"))
        prefix = grant.get("prefix")
        if isinstance(prefix, str) and ("*" in prefix or prefix.startswith("/")):
            found.append((f"{where}.prefix", "a key prefix takes no '*' and no leading '/'"))
        if kind.startswith("models-") and grant.get("kms_key_arn") and not grant.get("region"):
            found.append((f"{where}.region", "required with kms_key_arn (for the kms:ViaService condition)"))
    return found


def _prefix(grant: Mapping[str, Any]) -> str:
    prefix = str(grant.get("prefix") or "")
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def _package_arns(group_arns: Iterable[str]) -> list[str]:
    """The groups and the versioned packages in them (`model-package/<group>/<n>`)."""
    out: list[str] = []
    for arn in group_arns:
        out.append(arn)
        out.append(arn.replace(":model-package-group/", ":model-package/", 1) + "/*")
    return out


def statements(grant: Mapping[str, Any], index: int = 0) -> list[dict[str, Any]]:
    """The IAM statements of one grant (validated with `grant_problems` first)."""
    kind = grant["kind"]
    sid = f"G{index}{''.join(part.title() for part in kind.split('-'))}"
    if kind in ("models-read", "models-write"):
        bucket = grant["bucket_arn"]
        prefix = _prefix(grant)
        objects = f"{bucket}/{prefix}*"
        actions = S3_READ + (S3_WRITE if kind == "models-write" else [])
        out: list[dict[str, Any]] = [
            {"Sid": f"{sid}Objects", "Effect": "Allow", "Action": actions, "Resource": objects},
        ]
        listing: dict[str, Any] = {"Sid": f"{sid}List", "Effect": "Allow", "Action": S3_LIST, "Resource": bucket}
        if prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
        out.append(listing)
        if grant.get("kms_key_arn"):
            out.append({
                "Sid": f"{sid}Key",
                "Effect": "Allow",
                "Action": KMS_WRITE if kind == "models-write" else KMS_READ,
                "Resource": grant["kms_key_arn"],
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{grant['region']}.amazonaws.com"}},
            })
        return out
    if kind in ("model-packages-read", "model-packages-write"):
        actions = PACKAGES_READ + (PACKAGES_WRITE if kind == "model-packages-write" else [])
        return [{"Sid": sid, "Effect": "Allow", "Action": actions,
                 "Resource": _package_arns(grant["model_package_group_arns"])}]
    if kind in ("images-pull", "images-push"):
        actions = ECR_PULL + (ECR_PUSH if kind == "images-push" else [])
        return [
            {"Sid": f"{sid}Token", "Effect": "Allow", "Action": ECR_TOKEN, "Resource": "*"},
            {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": grant["repository_arn"]},
        ]
    if kind == "metrics-write":
        return [{"Sid": sid, "Effect": "Allow", "Action": APS_REMOTE_WRITE, "Resource": grant["workspace_arn"]}]
    # vector-read / vector-write: IAM lets the role call the collection's data plane; what it may
    # read or write inside is decided by the collection's data access policy (`aoss_data_rules`).
    return [{"Sid": sid, "Effect": "Allow", "Action": AOSS_API, "Resource": grant["collection_arn"]}]


def policy_document(grants: Sequence[Mapping[str, Any]]) -> str:
    """The JSON policy of a list of grants; raises `GrantError` listing every problem."""
    problems = grant_problems(grants)
    if problems:
        raise GrantError(problems)
    body: list[dict[str, Any]] = []
    token_granted = False
    for i, grant in enumerate(grants):
        for statement in statements(grant, i):
            if statement["Action"] == ECR_TOKEN:
                if token_granted:
                    continue
                token_granted = True
                statement["Sid"] = "EcrAuthorizationToken"
            body.append(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": body}, sort_keys=True)


#: OpenSearch Serverless data-plane permissions per access level (data access policy rules).
AOSS_INDEX_READ = ["aoss:DescribeIndex", "aoss:ReadDocument"]
AOSS_INDEX_WRITE = AOSS_INDEX_READ + ["aoss:CreateIndex", "aoss:UpdateIndex", "aoss:WriteDocument"]
AOSS_COLLECTION = ["aoss:DescribeCollectionItems"]


def aoss_data_rules(collection: str, write: bool, index_prefix: str | None = None) -> list[dict[str, Any]]:
    """The rules of an OpenSearch Serverless data access policy for one collection (no `aoss:*`).

    With `index_prefix` (a team), only the indexes named `<prefix>-...` are covered.
    """
    indexes = f"index/{collection}/{index_prefix}-*" if index_prefix else f"index/{collection}/*"
    return [
        {"ResourceType": "collection", "Resource": [f"collection/{collection}"], "Permission": AOSS_COLLECTION},
        {"ResourceType": "index", "Resource": [indexes],
         "Permission": AOSS_INDEX_WRITE if write else AOSS_INDEX_READ},
    ]


# ---- trust policies -----------------------------------------------------------------------------

IdentityMode = Literal["pod-identity", "irsa"]


def pod_identity_trust(cluster_name: str, namespace: str, service_account: str) -> str:
    """Trust for EKS Pod Identity, pinned by session tags to one cluster, namespace and service account.

    Without these conditions any Pod Identity association in the account could use the role.
    """
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "PodIdentity",
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {
            "aws:RequestTag/eks-cluster-name": cluster_name,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": service_account,
        }},
    }]}, sort_keys=True)


def irsa_trust(oidc_provider_arn: str, oidc_issuer: str, namespace: str, service_account: str) -> str:
    """Trust for IRSA: `sub` pinned to the service account, `aud` to STS, both with StringEquals."""
    issuer = oidc_issuer.removeprefix("https://")
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": oidc_provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
            f"{issuer}:aud": "sts.amazonaws.com",
        }},
    }]}, sort_keys=True)
