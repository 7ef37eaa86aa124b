"""IAM policy documents the AWS components render: trust policies and managed-policy ARNs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi

from .grants import irsa_trust, pod_identity_trust


def managed_policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


def policy_document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def service_trust_policy(service: str, *, tag_session: bool = False) -> str:
    """Trust policy letting an AWS service principal (e.g. `eks.amazonaws.com`) assume the role."""
    actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole"
    return policy_document([
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": actions},
    ])


def irsa_trust_policy(
    oidc_provider_arn: pulumi.Input[str],
    oidc_issuer: pulumi.Input[str],
    namespace: str,
    service_account: str,
) -> pulumi.Output[str]:
    """Trust policy for one Kubernetes service account through the cluster's OIDC provider.

    Pins both `sub` (exactly this namespace and service account) and `aud`
    (`sts.amazonaws.com`) with `StringEquals`: no wildcard subject.
    `oidc_issuer` is the issuer host and path, without `https://`.
    """
    return pulumi.Output.all(oidc_provider_arn, oidc_issuer).apply(
        lambda a: irsa_trust(a[0], a[1], namespace, service_account)
    )


def workload_trust_policy(identity: Mapping[str, Any], namespace: str, service_account: str) -> pulumi.Output[str]:
    """Trust for one service account of the cluster `identity` describes (`ClusterIdentityArgs`):
    IRSA (`mode: irsa`) or EKS Pod Identity (the default), pinned to that service account either way."""
    if identity.get("mode") == "irsa":
        return irsa_trust_policy(identity["oidc_provider_arn"], identity["oidc_issuer"], namespace, service_account)
    return pulumi.Output.from_input(identity["cluster_name"]).apply(
        lambda cluster: pod_identity_trust(cluster, namespace, service_account)
    )
