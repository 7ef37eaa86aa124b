"""WorkloadRole: an IAM role for exactly one Kubernetes service account, with typed grants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...catalog.names import ROLE, name_args
from .._base import ArgsChecker, child_opts
from .grants import GrantArgs, IdentityMode, grant_problems, policy_document
from .iam import workload_trust_policy

TYPE = "aiplatform:index:WorkloadRole"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
MODES: tuple[str, ...] = IdentityMode.__args__  # type: ignore[attr-defined]


class ClusterIdentityArgs(TypedDict, total=False):
    """How workloads of one cluster get AWS credentials; shared by every component that makes roles."""

    cluster_name: pulumi.Input[str]
    """The EKS cluster (required)."""
    mode: IdentityMode
    """`pod-identity` or `irsa`. Default: pod-identity."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (irsa only)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's OIDC issuer without `https://` (irsa only)."""


def workload_role_args(identity: Mapping[str, object], namespace: str, service_account: str,
                       grants: Sequence[GrantArgs], **extra: object) -> WorkloadRoleArgs:
    """`WorkloadRoleArgs` for one service account of the cluster `identity` describes."""
    args: dict[str, object] = {k: v for k, v in identity.items() if v is not None}
    if args.get("mode", "pod-identity") != "irsa":
        args.pop("oidc_provider_arn", None)
        args.pop("oidc_issuer", None)
    args.update(namespace=namespace, service_account=service_account, grants=list(grants), **extra)
    return args  # type: ignore[return-value]


class WorkloadRoleArgs(TypedDict, total=False):
    cluster_name: pulumi.Input[str]
    """The EKS cluster the service account lives in (required)."""
    namespace: str
    """Namespace of the service account (required; must exist)."""
    service_account: str
    """Name of the service account (required)."""
    mode: IdentityMode
    """`pod-identity` (an EKS Pod Identity association) or `irsa` (OIDC web identity). Default: pod-identity."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (irsa only; required there)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's OIDC issuer without `https://` (irsa only; required there)."""
    grants: Sequence[GrantArgs]
    """What the workload may do, rendered to a least-privilege inline policy. Default: nothing."""
    create_service_account: bool
    """Create the ServiceAccount; False adopts one created elsewhere (e.g. by a chart), which then needs
    `service_account_annotations`. Default: True."""
    labels: Mapping[str, str]
    """Labels on the ServiceAccount. Default: none."""
    description: str
    """Role description. Default: the service account it serves."""
    tags: Mapping[str, str]
    """Tags on the role and association. Default: none."""


class WorkloadRole(pulumi.ComponentResource):
    """An IAM role only one service account of one cluster can assume (IRSA pinned on `sub` and `aud`,
    or Pod Identity pinned by session tags), its permissions rendered from typed grants (no `*`
    action, `*` resource only where the API takes no ARN), and the Kubernetes ServiceAccount."""

    role: aws.iam.Role
    role_arn: pulumi.Output[str]
    service_account_name: str
    namespace: str
    service_account_annotations: dict[str, pulumi.Output[str]]
    service_account: k8s.core.v1.ServiceAccount | None
    association: aws.eks.PodIdentityAssociation | None

    def __init__(self, name: str, args: WorkloadRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        mode = args.get("mode", "pod-identity")
        grants = list(args.get("grants") or [])
        check = ArgsChecker(TYPE, name)
        for key in ("cluster_name", "namespace", "service_account"):
            check.require(bool(args.get(key)), key, "required")
        check.require(mode in MODES, "mode", f"must be one of {', '.join(MODES)} (got {mode!r})")
        if mode == "irsa":
            for key in ("oidc_provider_arn", "oidc_issuer"):
                check.require(args.get(key) is not None, key, "required when mode is irsa")
        else:
            for key in ("oidc_provider_arn", "oidc_issuer"):
                check.require(args.get(key) is None, key, "only used when mode is irsa")
        for path, reason in grant_problems(grants):
            check.add(path, reason)
        check.done()

        namespace, account = args["namespace"], args["service_account"]
        self.namespace = namespace
        self.service_account_name = account
        tags = dict(args.get("tags") or {})
        trust = workload_trust_policy({**args, "mode": mode}, namespace, account)
        self.role = aws.iam.Role(
            name,
            **name_args(ROLE, name),
            description=args.get("description") or f"Workload identity of {namespace}/{account}",
            assume_role_policy=trust,
            max_session_duration=3600,
            tags=tags,
            opts=child_opts(self),
        )
        self.role_arn = self.role.arn
        if grants:
            aws.iam.RolePolicy(
                name,
                role=self.role.id,
                policy=pulumi.Output.from_input(grants).apply(policy_document),
                opts=child_opts(self),
            )

        self.association = None
        self.service_account_annotations = {}
        if mode == "pod-identity":
            self.association = aws.eks.PodIdentityAssociation(
                name,
                cluster_name=args["cluster_name"],
                namespace=namespace,
                service_account=account,
                role_arn=self.role.arn,
                tags=tags,
                opts=child_opts(self),
            )
        else:
            self.service_account_annotations = {IRSA_ANNOTATION: self.role.arn}

        self.service_account = None
        if args.get("create_service_account", True):
            self.service_account = k8s.core.v1.ServiceAccount(
                name,
                metadata={
                    "name": account,
                    "namespace": namespace,
                    "labels": {**dict(args.get("labels") or {}), "app.kubernetes.io/managed-by": "aiplatform"},
                    "annotations": self.service_account_annotations,
                },
                automount_service_account_token=True,
                # The namespace may be created next to this component: wait for what the component waits for.
                opts=child_opts(self, depends_on=opts.depends_on if opts else None),
            )
        self.register_outputs({
            "roleArn": self.role_arn,
            "namespace": namespace,
            "serviceAccount": account,
        })


__all__ = ["ClusterIdentityArgs", "WorkloadRole", "WorkloadRoleArgs", "workload_role_args"]
