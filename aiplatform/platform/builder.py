"""What a cloud builder gives `AiPlatform`, the protocol it implements, and the registry of builders.

A builder creates one cloud's half of the platform (network, cluster, GPU pools, add-ons, model
registry, vector store) as children of the platform, and returns a `CloudPlatform`: the handles
the cloud-free half (gateway, teams, outputs) wires to. Adding a cloud is a module with a `build`
function and a line in `BUILDERS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pulumi

from ..components._pool import GpuPool
from ..components.kubernetes.team_namespace import TeamIdentity
from ..config import PlatformConfig, TeamConfig

#: Cloud -> the module of its builder. A module path, imported when its cloud is chosen, so that a
#: GCP program never loads `pulumi_aws` and an AWS program never loads `pulumi_gcp` (a provider SDK
#: costs seconds to import); the builders import nothing of the facade, so there is no cycle to dodge.
BUILDERS: dict[str, str] = {
    "aws": "aiplatform.platform.aws",
    "gcp": "aiplatform.platform.gcp",
}


class Cluster(Protocol):
    """What the cloud-free half reads of a cluster (`EksCluster`, `GkeCluster`)."""

    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    provider: pulumi.ProviderResource


@dataclass
class CloudPlatform:
    """One cloud's half of a platform, as the facade wires the rest to it."""

    network: Any
    cluster: Cluster
    gpu_pools: dict[str, GpuPool]
    provider: pulumi.ProviderResource
    """The cloud's provider (given in `opts` or created for the config's region)."""
    k8s_opts: pulumi.ResourceOptions
    """Options of the platform's Kubernetes children (the cluster's provider)."""
    cloud_opts: pulumi.ResourceOptions
    """Options of the platform's cloud children (the cloud's provider)."""
    team_identity: Callable[[TeamConfig], TeamIdentity]
    """The `TeamIdentity` of a team, scoped to the platform's services."""
    load_balancer_annotations: Mapping[str, Mapping[str, str]]
    """Service annotations of the gateway's load balancer, per scheme (`internal`, `internet-facing`)."""
    outputs: dict[str, pulumi.Input[Any]]
    """The cloud's own stack outputs (ids other stacks of that cloud use)."""
    system_node_selector: Mapping[str, str] = field(default_factory=dict)
    """Node labels of the system nodes (where cluster add-ons such as Kueue run)."""
    service_outputs: dict[str, pulumi.Input[Any]] = field(default_factory=dict)
    """Stack outputs of the services (`modelRegistry`, `vectorStore`)."""
    data_key: pulumi.Resource | None = None
    model_registry: Any = None
    registry_uri: pulumi.Input[str] | None = None
    """The model registry's bucket as a URI (`s3://...`, `gs://...`)."""
    vector_store: Any = None
    metrics_remote_write: Mapping[str, Any] | None = None
    """Where the platform's Prometheus also writes its samples (`RemoteWriteArgs`: a managed Prometheus)."""
    addons: dict[str, pulumi.Resource] = field(default_factory=dict)
    """Further children by role (device plugin, autoscaler, storage driver, snapshot bucket)."""


class CloudBuilder(Protocol):
    """`build` of a builder module: one cloud's half of `AiPlatform`, as children of `platform`."""

    def __call__(self, platform: pulumi.ComponentResource, name: str, config: PlatformConfig,
                 opts: pulumi.ResourceOptions | None) -> CloudPlatform: ...


def builder_for(cloud: str) -> CloudBuilder:
    """The builder of `cloud` (the config only admits clouds of the registry)."""
    if cloud not in BUILDERS:
        raise ValueError(f"no platform builder for cloud {cloud!r} (known: {', '.join(BUILDERS)})")
    return importlib.import_module(BUILDERS[cloud]).build  # type: ignore[no-any-return]


def given_provider(opts: pulumi.ResourceOptions | None, package: str) -> pulumi.ProviderResource | None:
    """The provider of `package` that `opts` brings, if any (`providers` as a mapping or a list)."""
    if opts is None or not opts.providers:
        return None
    providers = opts.providers
    if isinstance(providers, dict):
        return providers.get(package)
    return next((p for p in providers if getattr(p, "package", None) == package), None)


__all__ = ["BUILDERS", "CloudBuilder", "CloudPlatform", "Cluster", "builder_for", "given_provider"]
