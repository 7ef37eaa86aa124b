"""A team's GCP identity: a Workload Identity service account for the team's workload service account,
reading only the team's prefix of the model bucket and pulling from the platform's repository.
`TeamNamespace` creates it, as its own children, from a `GcpTeamIdentity`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import pulumi

from .._base import ArgsChecker, child_opts
from ..kubernetes.team_namespace import REGISTRY_PREFIX, TeamIdentityOutputs, TeamSlot
from .workload_identity import WorkloadIdentity

#: The GKE metadata server as pods reach it on Dataplane V2 clusters (Workload Identity tokens).
GKE_METADATA_SERVER = "169.254.169.254/32"


@dataclass(frozen=True)
class GcpTeamIdentity:
    """The `TeamIdentity` of a team on GKE (the fields of `TeamIdentityArgs` that apply on GCP)."""

    project: str | None
    registry_bucket: pulumi.Input[str] | None = None
    repository_id: pulumi.Input[str] | None = None
    region: str | None = None
    """Location of the repository."""

    @classmethod
    def from_args(cls, spec: Mapping[str, Any]) -> GcpTeamIdentity:
        """From a `TeamIdentityArgs` mapping (the component package); keys of the other cloud are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in spec.items() if k in known})  # type: ignore[arg-type]

    def problems(self, check: ArgsChecker) -> None:
        check.require(bool(self.project), "identity.project", "required on gcp")
        check.require(not self.repository_id or bool(self.region), "identity.region",
                      "required with repository_id (the repository's location)")

    def egress(self) -> list[dict[str, Any]]:
        return [{"to": [{"ipBlock": {"cidr": GKE_METADATA_SERVER}}], "ports": [{"protocol": "TCP", "port": 80}]}]

    def create(self, slot: TeamSlot) -> TeamIdentityOutputs:
        grants: list[dict[str, Any]] = []
        if self.registry_bucket:
            grants.append({"kind": "models-read", "bucket": self.registry_bucket,
                           "prefix": REGISTRY_PREFIX.format(team=slot.team)})
        if self.repository_id:
            grants.append({"kind": "images-pull", "repository": self.repository_id, "location": self.region})
        identity = WorkloadIdentity(slot.name, {
            "project": self.project, "namespace": slot.namespace, "service_account": slot.service_account,
            "grants": grants, "labels": slot.labels, "description": f"Workloads of team {slot.team}",
        }, child_opts(slot.parent, protect=slot.protect, depends_on=list(slot.after)))
        return TeamIdentityOutputs(resource=identity, role_arn=pulumi.Output.from_input(""),
                                   google_service_account=identity.email)


__all__ = ["GKE_METADATA_SERVER", "GcpTeamIdentity"]
