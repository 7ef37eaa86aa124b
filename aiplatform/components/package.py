"""The components hosted for every Pulumi language (`components/__main__.py`).

`pulumi.provider.experimental` infers the multi-language schema from each
component's `args` annotation and its `pulumi.Output` attributes, so hosted
components live in modules without `from __future__ import annotations` and
type their args with what the analyzer accepts (str, int, float, bool, lists,
string-keyed maps, nested TypedDicts, `pulumi.Input`). Type tokens are
`aiplatform:index:<Name>` (DESIGN.md convention 3).

The hosted `TeamNamespace` takes its identity as data (`TeamIdentityArgs`) and
turns it into the cloud's `TeamIdentity`; this module is the one place that
knows both clouds' team identities. `python tools/component_schema.py --root .`
writes the checked-in `components/schema.json`.
"""

from collections.abc import Mapping
from typing import Any

import pulumi

from ._base import ArgsChecker
from .aws.team_identity import AwsTeamIdentity
from .gcp.team_identity import GcpTeamIdentity
from .kubernetes import team_namespace
from .kubernetes.gateway_route import GatewayRoute
from .kubernetes.inference_service import InferenceService
from .kubernetes.team_namespace import TeamIdentityOutputs, TeamNamespaceArgs, TeamSlot

PACKAGE = "aiplatform"
#: The version the package's schema carries (the library's).
VERSION = "0.1.0"
#: The cloud of a `TeamIdentityArgs`, and the `TeamIdentity` it describes.
TEAM_IDENTITIES = {"aws": AwsTeamIdentity, "gcp": GcpTeamIdentity}


class UnknownCloudIdentity:
    """A `TeamIdentityArgs` of no cloud this package knows: reported with the namespace's other problems."""

    def __init__(self, cloud: object) -> None:
        self.cloud = cloud

    def problems(self, check: ArgsChecker) -> None:
        check.add("identity.cloud", f"must be {' or '.join(TEAM_IDENTITIES)} (got {self.cloud!r})")

    def egress(self) -> list[dict[str, Any]]:
        return []

    def create(self, slot: TeamSlot) -> TeamIdentityOutputs:  # pragma: no cover - refused by problems() first
        raise AssertionError("an identity of an unknown cloud is never created")


def team_identity(spec: Mapping[str, Any]) -> Any:
    """The `TeamIdentity` a `TeamIdentityArgs` mapping describes."""
    cloud = spec.get("cloud")
    kind = TEAM_IDENTITIES.get(cloud) if isinstance(cloud, str) else None
    return kind.from_args(spec) if kind is not None else UnknownCloudIdentity(cloud)


class TeamNamespace(team_namespace.TeamNamespace):
    """A team's namespace with a GPU, CPU, memory and storage quota, default limits, default-deny network
    policies with explicit allows, a namespaced Role for the team's group (no wildcards), and the team's
    workload service account with a cloud identity limited to the team's registry prefix, vector indexes
    and image pulls."""

    # The schema reads the outputs' descriptions from this class's own source.
    namespace: pulumi.Output[str]
    """The team's namespace."""
    service_account_name: pulumi.Output[str]
    """The team's workload service account."""
    role_arn: pulumi.Output[str]
    """The IAM role of the service account (AWS), or empty."""
    gpu_quota: pulumi.Output[int]
    """Accelerators the namespace may request."""
    registry_prefix: pulumi.Output[str]
    """The team's prefix in the model registry."""

    def __init__(self, name: str, args: TeamNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = args.get("identity")
        if isinstance(spec, Mapping):
            args = {**args, "identity": team_identity(spec)}  # type: ignore[typeddict-item]
        super().__init__(name, args, opts)


HOSTED: list[type] = [GatewayRoute, InferenceService, TeamNamespace]

__all__ = ["HOSTED", "PACKAGE", "TEAM_IDENTITIES", "VERSION", "TeamNamespace", "team_identity"]
