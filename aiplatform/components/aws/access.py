"""EKS access entries keyed by principal: a stable resource name per IAM principal ARN, whatever its place in
the list (inserting an ARN at the front must not change which principal `<name>-admin-0` is).

The key is the principal's name (the last ARN segment) and its account: unique by IAM's own rule (a role
name is unique within an account), and a function of that one ARN only, so adding, removing or reordering the
other principals never changes it. Each entry carries an alias to the index-based name it had before
(`<prefix>-<i>`), so a stack deployed with index-based names keeps its URNs: `pulumi up` neither deletes nor
replaces them. (The alias is the principal's index in today's list: reorder the list in a later update than the
one that moves to these names, or the first update re-creates the moved entries once.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from .._base import ArgsChecker, child_opts

_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+=,-]+")


def principal_key(arn: str) -> str:
    """A short, stable key for one principal ARN: `<name>-<account>` (a hash of the ARN if it has no account).

    >>> principal_key("arn:aws:iam::111122223333:role/team/Admin")
    'Admin-111122223333'
    """
    parts = arn.split(":")
    name = _UNSAFE.sub("-", arn.rsplit("/", 1)[-1]).strip("-") or "principal"
    account = parts[4] if len(parts) > 5 and parts[4].isdigit() else hashlib.sha256(arn.encode()).hexdigest()[:8]
    return f"{name}-{account}"


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
    for i, arn in enumerate(arns):
        key = principal_key(arn)
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


__all__ = ["access_entries", "principal_key", "principal_problems"]
