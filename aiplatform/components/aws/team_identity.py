"""A team's AWS identity: an IAM role for the team's workload service account (EKS Pod Identity or IRSA),
scoped to the team's registry prefix, image pulls and vector indexes, and EKS access entries for the
team's people. `TeamNamespace` creates it, as its own children, from an `AwsTeamIdentity`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import pulumi

from .._base import ArgsChecker, child_opts
from ..kubernetes.team_namespace import REGISTRY_PREFIX, TeamIdentityOutputs, TeamSlot
from .access import access_entries, principal_problems
from .workload_role import WorkloadRole, workload_role_args

if TYPE_CHECKING:
    from .opensearch_vector_store import OpenSearchVectorStore

#: EKS Pod Identity agent on every node (link-local), which hands out the team role's credentials.
POD_IDENTITY_AGENT = "169.254.170.23/32"


def team_grants(team: str, identity: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The team role's grants: its registry prefix (read), image pulls, its vector collection."""
    grants: list[dict[str, Any]] = []
    if identity.get("registry_bucket_arn"):
        grant: dict[str, Any] = {"kind": "models-read", "bucket_arn": identity["registry_bucket_arn"],
                                 "prefix": REGISTRY_PREFIX.format(team=team)}
        if identity.get("registry_kms_key_arn"):
            grant.update(kms_key_arn=identity["registry_kms_key_arn"], region=identity["region"])
        grants.append(grant)
    if identity.get("repository_arn"):
        grants.append({"kind": "images-pull", "repository_arn": identity["repository_arn"]})
    if identity.get("vector_collection_arn"):
        grants.append({"kind": "vector-write", "collection_arn": identity["vector_collection_arn"]})
    return grants


@dataclass(frozen=True)
class AwsTeamIdentity:
    """The `TeamIdentity` of a team on EKS (the fields of `TeamIdentityArgs` that apply on AWS)."""

    cluster_name: pulumi.Input[str] | None
    mode: str | None = None
    """`pod-identity` or `irsa`. Default: pod-identity."""
    oidc_provider_arn: pulumi.Input[str] | None = None
    oidc_issuer: pulumi.Input[str] | None = None
    region: str | None = None
    registry_bucket_arn: pulumi.Input[str] | None = None
    registry_kms_key_arn: pulumi.Input[str] | None = None
    repository_arn: pulumi.Input[str] | None = None
    vector_collection_arn: pulumi.Input[str] | None = None
    member_role_arns: Sequence[str] = ()
    collection: OpenSearchVectorStore | None = None
    """The platform's OpenSearch collection: the team's role gets read-write access to its own indexes."""

    @classmethod
    def from_args(cls, spec: Mapping[str, Any]) -> AwsTeamIdentity:
        """From a `TeamIdentityArgs` mapping (the component package); keys of the other cloud are ignored."""
        known = {f.name for f in fields(cls)} - {"collection"}
        return cls(**{k: v for k, v in spec.items() if k in known})  # type: ignore[arg-type]

    def problems(self, check: ArgsChecker) -> None:
        check.require(bool(self.cluster_name), "identity.cluster_name", "required")
        check.require((self.mode or "pod-identity") in ("pod-identity", "irsa"), "identity.mode",
                      f"must be pod-identity or irsa (got {self.mode!r})")
        check.require(not self.registry_kms_key_arn or bool(self.region), "identity.region",
                      "required with registry_kms_key_arn (for the kms:ViaService condition)")
        principal_problems(check, "identity.member_role_arns", list(self.member_role_arns or []))

    def egress(self) -> list[dict[str, Any]]:
        if (self.mode or "pod-identity") != "pod-identity":
            return []
        return [{"to": [{"ipBlock": {"cidr": POD_IDENTITY_AGENT}}], "ports": [{"protocol": "TCP", "port": 80}]}]

    def create(self, slot: TeamSlot) -> TeamIdentityOutputs:
        tags = {**slot.tags, "team": slot.team}
        cluster = {"cluster_name": self.cluster_name, "mode": self.mode, "oidc_provider_arn": self.oidc_provider_arn,
                   "oidc_issuer": self.oidc_issuer}
        role = WorkloadRole(slot.name, workload_role_args(
            cluster, slot.namespace, slot.service_account, team_grants(slot.team, vars(self)),
            labels=slot.labels, tags=tags, description=f"Workloads of team {slot.team}",
        ), child_opts(slot.parent, protect=slot.protect, depends_on=list(slot.after)))
        access_entries(slot.parent, f"{slot.name}-member", self.cluster_name, list(self.member_role_arns or []),
                       tags=tags, kubernetes_groups=[slot.members_group])
        if self.collection is not None:
            self.collection.allow(slot.name, [role.role_arn], write=True, index_prefix=slot.team)
        return TeamIdentityOutputs(resource=role, role_arn=role.role_arn,
                                   google_service_account=pulumi.Output.from_input(""))


__all__ = ["POD_IDENTITY_AGENT", "AwsTeamIdentity", "team_grants"]
