"""EKS access entries keyed by principal: a stable resource name per IAM principal ARN, whatever its place in
the list (inserting an ARN at the front must not change which principal `<name>-admin-0` is).

The name is the principal's last ARN segment (the role name), with a short hash of the ARN only where two
principals share that segment. Each entry carries an alias to the index-based name it had before
(`<prefix>-<i>`), so a stack deployed with index-based names keeps its URNs: `pulumi up` neither deletes nor
replaces them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from .._base import ArgsChecker, child_opts

_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+=,-]+")


def principal_keys(arns: Sequence[str]) -> list[str]:
    """A short, stable key per ARN: its role (or user) name; `-<8 hex>` of the ARN added where two share one.

    >>> principal_keys(["arn:aws:iam::1:role/a/Admin", "arn:aws:iam::2:role/Ops"])
    ['Admin', 'Ops']
    """
    bases = [_UNSAFE.sub("-", arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]).strip("-") or "principal" for arn in arns]
    return [base if bases.count(base) == 1 else f"{base}-{hashlib.sha256(arn.encode()).hexdigest()[:8]}"
            for base, arn in zip(bases, arns, strict=True)]


def principal_problems(check: ArgsChecker, path: str, arns: Sequence[str]) -> None:
    """Each principal once: an access entry exists once per principal and cluster."""
    seen: set[str] = set()
    for i, arn in enumerate(arns):
        check.require(arn not in seen, f"{path}[{i}]", f"duplicate principal {arn!r}")
        seen.add(arn)


def access_entries(parent: pulumi.Resource, prefix: str, cluster_name: pulumi.Input[str], arns: Sequence[str], *,
                   tags: Mapping[str, str], kubernetes_groups: Sequence[str] | None = None,
                   policy_arn: str | None = None) -> dict[str, aws.eks.AccessEntry]:
    """An access entry per principal (`<prefix>-<key>`, aliased to `<prefix>-<index>`), with an access-policy
    association of the same name when `policy_arn` is given. Returns the entries by ARN."""
    entries: dict[str, aws.eks.AccessEntry] = {}
    for i, (arn, key) in enumerate(zip(arns, principal_keys(arns), strict=True)):
        aliases = [pulumi.Alias(name=f"{prefix}-{i}")]
        entry = entries[arn] = aws.eks.AccessEntry(
            f"{prefix}-{key}", cluster_name=cluster_name, principal_arn=arn, type="STANDARD",
            **({"kubernetes_groups": list(kubernetes_groups)} if kubernetes_groups else {}),
            tags=dict(tags), opts=child_opts(parent, aliases=aliases),
        )
        if policy_arn is not None:
            aws.eks.AccessPolicyAssociation(
                f"{prefix}-{key}", cluster_name=cluster_name, principal_arn=arn, policy_arn=policy_arn,
                access_scope={"type": "cluster"}, opts=child_opts(parent, depends_on=[entry], aliases=aliases),
            )
    return entries


__all__ = ["access_entries", "principal_keys", "principal_problems"]
