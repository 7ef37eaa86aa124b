"""ClusterAutoscaler: the Kubernetes cluster autoscaler with its own, cluster-scoped IAM role."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...catalog.iam import AUTOSCALER_DESCRIBE_ACTIONS
from ...catalog.names import ROLE, name_args
from ...catalog.pins import CLUSTER_AUTOSCALER, CLUSTER_AUTOSCALER_IMAGE_TAGS
from .._base import LABEL_PREFIX, ArgsChecker, child_opts
from ..kubernetes.helm import pinned_release
from .iam import irsa_trust_policy, policy_document

TYPE = "aiplatform:index:ClusterAutoscaler"
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "cluster-autoscaler"

#: Read-only calls the autoscaler makes; these AWS APIs take no resource ARN (catalog/iam.py).
DESCRIBE_ACTIONS = list(AUTOSCALER_DESCRIBE_ACTIONS)
SCALE_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]


class ClusterAutoscalerArgs(TypedDict, total=False):
    cluster_name: pulumi.Input[str]
    """The EKS cluster (required)."""
    cluster_arn: pulumi.Input[str]
    """ARN of the cluster, to scope `eks:DescribeNodegroup` to its node groups (required)."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (required)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's OIDC issuer, without `https://` (required)."""
    region: str
    """AWS region (required)."""
    kubernetes_version: str
    """Cluster Kubernetes minor version; selects the autoscaler image (required)."""
    tags: Mapping[str, str]
    """Tags on the IAM role. Default: none."""


def autoscaler_policy(cluster_name: str, cluster_arn: str) -> str:
    """Least-privilege policy: scale only the Auto Scaling groups EKS tags as this cluster's."""
    nodegroups = cluster_arn.replace(":cluster/", ":nodegroup/", 1) + "/*/*"
    return policy_document([
        {"Sid": "Describe", "Effect": "Allow", "Action": DESCRIBE_ACTIONS, "Resource": "*"},
        {"Sid": "DescribeNodegroups", "Effect": "Allow", "Action": "eks:DescribeNodegroup", "Resource": nodegroups},
        {
            "Sid": "ScaleOwnGroups",
            "Effect": "Allow",
            "Action": SCALE_ACTIONS,
            "Resource": "*",
            "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}},
        },
    ])


class ClusterAutoscaler(pulumi.ComponentResource):
    """The cluster autoscaler (Helm chart, pinned) on the system nodes, authenticated
    through IRSA with a role that can only scale this cluster's node groups."""

    role: aws.iam.Role
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: ClusterAutoscalerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("cluster_name", "cluster_arn", "oidc_provider_arn", "oidc_issuer", "region", "kubernetes_version"):
            check.require(args.get(key) is not None, key, "required")
        version = args.get("kubernetes_version")
        check.require(version in CLUSTER_AUTOSCALER_IMAGE_TAGS, "kubernetes_version",
                      f"no pinned autoscaler image for Kubernetes {version}")
        check.done()

        self.role = aws.iam.Role(
            f"{name}-cluster-autoscaler",
            **name_args(ROLE, f"{name}-cluster-autoscaler"),
            description="cluster-autoscaler (IRSA)",
            assume_role_policy=irsa_trust_policy(
                args["oidc_provider_arn"], args["oidc_issuer"], NAMESPACE, SERVICE_ACCOUNT
            ),
            tags=dict(args.get("tags") or {}),
            opts=child_opts(self),
        )
        aws.iam.RolePolicy(
            f"{name}-cluster-autoscaler",
            role=self.role.id,
            policy=pulumi.Output.all(args["cluster_name"], args["cluster_arn"]).apply(
                lambda a: autoscaler_policy(a[0], a[1])
            ),
            opts=child_opts(self),
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-cluster-autoscaler",
            metadata={
                "name": SERVICE_ACCOUNT,
                "namespace": NAMESPACE,
                "labels": {"app.kubernetes.io/name": "cluster-autoscaler", "app.kubernetes.io/managed-by": "aiplatform"},
                "annotations": {"eks.amazonaws.com/role-arn": self.role.arn},
            },
            opts=child_opts(self),
        )
        self.release = pinned_release(
            f"{name}-cluster-autoscaler",
            CLUSTER_AUTOSCALER,
            namespace=NAMESPACE,
            values={
                "cloudProvider": "aws",
                "awsRegion": args["region"],
                "autoDiscovery": {"clusterName": args["cluster_name"]},
                "image": {"tag": CLUSTER_AUTOSCALER_IMAGE_TAGS[version]},
                "rbac": {"serviceAccount": {"create": False, "name": SERVICE_ACCOUNT}},
                "extraArgs": {
                    "balance-similar-node-groups": True,
                    "expander": "least-waste",
                    "skip-nodes-with-system-pods": False,
                    "scale-down-unneeded-time": "10m",
                },
                "nodeSelector": {f"{LABEL_PREFIX}node-role": "system"},
                "priorityClassName": "system-cluster-critical",
                "resources": {"requests": {"cpu": "100m", "memory": "300Mi"}, "limits": {"memory": "600Mi"}},
            },
            opts=child_opts(self, depends_on=[account]),
        )
        self.register_outputs({"roleArn": self.role.arn})
