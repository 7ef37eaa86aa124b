"""IAM policy documents the AWS components render: trust policies and managed-policy ARNs."""

from __future__ import annotations

import json
from typing import Any

import pulumi

from .grants import irsa_trust


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
