"""What a cloud module declares: `CloudRules` (grammar, applicable fields, checks) and `CloudDefaults`.

One instance of each per cloud, in `clouds/<cloud>.py`. The checks take the
config sections duck-typed (this module sits below the sections, which read
it), and return problems as (sub-path, message).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import defaults as d
from ..defaults import ByEnv

Found = list[tuple[str, str]]
Check = Callable[[Any], Found]


def cost_center_problems(config: Any, value: re.Pattern[str], rule: str) -> Found:
    """Teams' cost centers that the cloud's tag (or label) values refuse; `rule` says what they take."""
    return [(f"teams[{i}].cost_center", f"{team.cost_center!r}: {rule}") for i, team in enumerate(config.teams)
            if team.cost_center is not None and not value.match(team.cost_center)]


def _none(_: Any) -> Found:
    return []


@dataclass(frozen=True)
class CloudDefaults:
    """Every default of one cloud. Cloud-neutral values come from `config.defaults`, once."""

    system_instance_type: str
    #: Control-plane log retention in days (EKS log group); None where the cloud keeps the logs itself.
    log_retention_days: ByEnv[int] | None = None
    #: GKE: regional control plane; release channel. None on clouds without the setting.
    regional: ByEnv[bool] | None = None
    release_channel: ByEnv[str] | None = None
    nat_gateways: ByEnv[str] = d.NAT_GATEWAYS
    system_min_nodes: int = d.SYSTEM_MIN_NODES
    system_max_nodes: int = d.SYSTEM_MAX_NODES
    system_disk_size_gib: int = d.SYSTEM_DISK_SIZE_GIB
    gpu_disk_size_gib: int = d.GPU_DISK_SIZE_GIB
    team_cpu: str = d.TEAM_CPU
    team_memory: str = d.TEAM_MEMORY
    team_pods: int = d.TEAM_PODS
    team_persistent_volume_claims: int = d.TEAM_PERSISTENT_VOLUME_CLAIMS
    team_storage: str = d.TEAM_STORAGE
    registry_namespace: str = d.REGISTRY_NAMESPACE
    registry_noncurrent_version_days: int = d.REGISTRY_NONCURRENT_VERSION_DAYS
    registry_untagged_image_days: int = d.REGISTRY_UNTAGGED_IMAGE_DAYS
    vector_store_namespace: str = d.VECTOR_STORE_NAMESPACE
    qdrant_service_account: str = d.QDRANT_SERVICE_ACCOUNT
    qdrant_replicas: ByEnv[int] = d.QDRANT_REPLICAS
    qdrant_volume_size_gib: int = d.QDRANT_VOLUME_SIZE_GIB
    qdrant_memory: str = d.QDRANT_MEMORY
    #: Qdrant snapshots to an object-store bucket; None where the cloud has no snapshot bucket (yet).
    qdrant_snapshots: bool | None = None
    snapshot_noncurrent_version_days: int = d.SNAPSHOT_NONCURRENT_VERSION_DAYS
    #: OpenSearch Serverless standby replicas; None where the cloud has no managed vector store.
    standby_replicas: ByEnv[bool] | None = None
    reclaim_policy: ByEnv[str] = d.RECLAIM_POLICY
    gateway_replicas: ByEnv[int] = d.GATEWAY_REPLICAS
    gateway_requests_per_minute: int = d.GATEWAY_REQUESTS_PER_MINUTE
    #: GPU metrics come from the cloud's managed collection (GKE's managed DCGM) instead of the DCGM exporter chart.
    managed_gpu_metrics: bool = False
    #: The price-catalog SKU of the block storage behind the platform's StorageClass (OpenCost's storage price).
    storage_sku: str = "aws-ebs-gp3"


@dataclass(frozen=True)
class CloudRules:
    """One cloud, as the config sees it."""

    name: str
    #: "an AWS", "a GCP": how messages name the cloud's things.
    article: str
    region: re.Pattern[str]
    #: Zone `n` of region `r` is `r + zone_separator + "abc..."[n]`.
    zone_separator: str
    #: `aiplatform<sep>platform`: the separator the cloud's tag or label keys allow.
    tag_separator: str
    defaults: CloudDefaults
    #: Per section (`""` the platform, `network`, `cluster`, `gpu_pools`, `teams`): fields only this cloud takes.
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: `section.field` of another cloud -> why this cloud has no such thing (appended to "does not apply").
    refusals: Mapping[str, str] = field(default_factory=dict)
    #: The network fields that name an existing network, and how the either/or message words the choice.
    existing_network: tuple[str, ...] = ()
    existing_network_words: str = ""
    network_noun: str = "a network"
    #: The value of `observability.managed` this cloud offers besides `none` (`amp` on AWS, `gmp` on GCP).
    managed_prometheus: str | None = None
    network_problems: Check = _none
    pool_problems: Check = _none
    platform_problems: Check = _none
    #: The cloud's rules for names and tag values the config's words become (bucket names, cost centers).
    name_problems: Check = _none

    def zone(self, region: str, index: int) -> str:
        return f"{region}{self.zone_separator}{chr(ord('a') + index)}"

    def is_zone_of(self, zone: str, region: str) -> bool:
        return zone.startswith(region) and re.fullmatch(f"{re.escape(self.zone_separator)}[a-z]",
                                                        zone[len(region):]) is not None
