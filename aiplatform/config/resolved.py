"""The resolved config: every value a builder reads, with the cloud's default applied (no fallback left).

`PlatformConfig` inherits these properties. Each reads what the stack config
gives and, where it gives nothing, the default of the platform's cloud
(`clouds/<cloud>.py`) for its environment; a builder reads them as they are,
without `or`, without `if prod`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog import DEVICE_RESOURCE, instance_row
from ..catalog.prices import HOURS_PER_MONTH, Price, prices
from . import defaults as d
from .clouds import CloudDefaults, CloudRules, rules_of
from .clouds.aws import partition_of
from .zones import placement

if TYPE_CHECKING:
    from .compute import ClusterConfig, GpuPool
    from .network import NetworkConfig
    from .observability import ObservabilityConfig
    from .services import GatewayConfig, ModelRegistryConfig, VectorStoreConfig
    from .teams import TeamConfig


class Resolved:
    """Resolved values of a validated `PlatformConfig`."""

    if TYPE_CHECKING:
        name: str
        cloud: str
        region: str
        environment: str
        tags: dict[str, str]
        network: NetworkConfig
        cluster: ClusterConfig
        gpu_pools: list[GpuPool]
        model_registry: ModelRegistryConfig | None
        vector_store: VectorStoreConfig | None
        gateway: GatewayConfig | None
        observability: ObservabilityConfig

    # ---- the cloud -------------------------------------------------------------------------------

    @property
    def rules(self) -> CloudRules:
        """The platform's cloud, from the registry."""
        return rules_of(self.cloud)

    @property
    def defaults(self) -> CloudDefaults:
        return self.rules.defaults

    @property
    def prod(self) -> bool:
        return self.environment == "prod"

    @property
    def protect_stateful(self) -> bool:
        return self.prod

    @property
    def partition(self) -> str:
        """AWS: the partition of the region."""
        return partition_of(self.region)

    @property
    def availability_zones(self) -> list[str]:
        if self.network.availability_zones:
            return list(self.network.availability_zones)
        return [self.rules.zone(self.region, i) for i in range(self.network.az_count)]

    @property
    def resource_tags(self) -> dict[str, str]:
        """The tags (AWS) or labels (GCP) every taggable resource carries (DESIGN.md convention 10)."""
        sep = self.rules.tag_separator
        return {
            **self.tags,
            "environment": self.environment,
            f"aiplatform{sep}platform": self.name,
            f"aiplatform{sep}environment": self.environment,
        }

    def team_tags(self, team: TeamConfig) -> dict[str, str]:
        """The tags of a team's resources: the platform's, with the team and its cost center."""
        return {**self.resource_tags, "team": team.name, "cost-center": team.cost_center or self.tags["cost-center"]}

    # ---- network and cluster ---------------------------------------------------------------------

    @property
    def nat_gateways(self) -> str:
        return self.network.nat_gateways or self.defaults.nat_gateways.pick(self.environment)

    @property
    def system_instance_types(self) -> list[str]:
        """The system nodes' types: as given, else the cloud's default."""
        given = self.cluster.system_nodes.instance_types
        return list(given) if given else [self.defaults.system_instance_type]

    @property
    def regional(self) -> bool:
        """GCP: whether the cluster is regional (default: in prod). False on clouds without the setting."""
        given, default = self.cluster.regional, self.defaults.regional
        if given is not None:
            return given
        return default.pick(self.environment) if default is not None else False

    @property
    def node_zones(self) -> list[str]:
        """GCP: the zones of the cluster's nodes: every zone when regional, the first otherwise."""
        zones = self.availability_zones
        return zones if self.regional else zones[:1]

    @property
    def pool_zones(self) -> dict[str, list[str]]:
        """GCP: each GPU pool's zones by pool name: its `zones`, else the node zones that sell its types."""
        return {pool.name: placement(pool.instance_types, pool.zones, self.region, self.node_zones,
                                     pool.capacity_type)[0] for pool in self.gpu_pools}

    @property
    def release_channel(self) -> str | None:
        """GCP: the GKE release channel. None on clouds without one."""
        default = self.defaults.release_channel
        return self.cluster.release_channel or (default.pick(self.environment) if default is not None else None)

    @property
    def log_retention_days(self) -> int | None:
        """AWS: retention of the control-plane log group. None on clouds that keep those logs themselves."""
        default = self.defaults.log_retention_days
        return default.pick(self.environment) if default is not None else None

    @property
    def accelerator_resources(self) -> list[str]:
        """The extended resources the platform's pools offer (what a team quota caps)."""
        found = sorted({DEVICE_RESOURCE[p.vendor] for p in self.gpu_pools})
        return found or [DEVICE_RESOURCE["nvidia"]]

    # ---- services --------------------------------------------------------------------------------

    @property
    def registry_repository_name(self) -> str:
        """The serving-image repository (ECR repository, Artifact Registry repository id)."""
        given = self.model_registry.repository_name if self.model_registry is not None else None
        return given if given is not None else f"{self.name}{d.REGISTRY_REPOSITORY_SUFFIX}"

    @property
    def vector_store_collection_name(self) -> str:
        """opensearch-serverless: the collection name."""
        given = self.vector_store.collection_name if self.vector_store is not None else None
        return given if given is not None else f"{self.name}{d.COLLECTION_SUFFIX}"[:d.COLLECTION_NAME_MAX]

    @property
    def vector_store_standby_replicas(self) -> bool:
        """opensearch-serverless: standby replicas."""
        given = self.vector_store.standby_replicas if self.vector_store is not None else None
        if given is not None:
            return given
        default = self.defaults.standby_replicas
        return default.pick(self.environment) if default is not None else False

    @property
    def vector_store_replicas(self) -> int:
        """qdrant: nodes."""
        given = self.vector_store.replicas if self.vector_store is not None else None
        return given if given is not None else self.defaults.qdrant_replicas.pick(self.environment)

    @property
    def vector_store_volume_size_gib(self) -> int:
        """qdrant: data volume per node."""
        given = self.vector_store.volume_size_gib if self.vector_store is not None else None
        return given if given is not None else self.defaults.qdrant_volume_size_gib

    @property
    def vector_store_memory(self) -> str:
        """qdrant: memory per node."""
        given = self.vector_store.memory if self.vector_store is not None else None
        return given if given is not None else self.defaults.qdrant_memory

    @property
    def vector_store_snapshots(self) -> bool:
        """qdrant: snapshots to an object-store bucket (AWS: S3). False on clouds without a snapshot bucket."""
        given = self.vector_store.snapshots if self.vector_store is not None else None
        return given if given is not None else bool(self.defaults.qdrant_snapshots)

    @property
    def vector_store_namespace(self) -> str:
        """qdrant: its namespace."""
        return self.defaults.vector_store_namespace

    @property
    def vector_store_service_account(self) -> str:
        """qdrant: the service account of its pods (the snapshot identity binds to it)."""
        return self.defaults.qdrant_service_account

    @property
    def snapshot_noncurrent_version_days(self) -> int:
        """qdrant: days a replaced snapshot object is kept."""
        return self.defaults.snapshot_noncurrent_version_days

    @property
    def storage_reclaim_policy(self) -> str:
        """The reclaim policy of the vector store's StorageClass: Retain in prod, Delete elsewhere."""
        return self.defaults.reclaim_policy.pick(self.environment)

    @property
    def gateway_replicas(self) -> int:
        """Envoy replicas of the gateway."""
        given = self.gateway.replicas if self.gateway is not None else None
        return given if given is not None else self.defaults.gateway_replicas.pick(self.environment)

    # ---- observability ---------------------------------------------------------------------------

    @property
    def metrics_retention_days(self) -> int:
        """Days Prometheus keeps samples."""
        given = self.observability.retention_days
        return given if given is not None else d.METRICS_RETENTION_DAYS.pick(self.environment)

    @property
    def metrics_volume_gib(self) -> int:
        """Size of Prometheus' volume."""
        given = self.observability.volume_gib
        return given if given is not None else d.METRICS_VOLUME_GIB.pick(self.environment)

    @property
    def needs_storage_class(self) -> bool:
        """Whether the cluster needs the platform's encrypted StorageClass (Qdrant's or Prometheus' volumes)."""
        qdrant = self.vector_store is not None and self.vector_store.kind == "qdrant"
        return qdrant or self.observability.enabled

    @property
    def gpu_metrics(self) -> str | None:
        """How NVIDIA GPU metrics are collected: `dcgm-exporter` (the chart), `managed` (the cloud's, GKE's managed
        DCGM), or None (no NVIDIA pool, or observability off)."""
        if not self.observability.enabled or not any(p.vendor == "nvidia" for p in self.gpu_pools):
            return None
        return "managed" if self.defaults.managed_gpu_metrics else "dcgm-exporter"

    @property
    def gpu_hour_prices(self) -> dict[str, float]:
        """List price of one GPU-hour per accelerator model of the platform's pools (cheapest on-demand type's
        hourly price over its accelerator count), for the cost dashboard."""
        out: dict[str, float] = {}
        catalog = prices(self.rules.name)  # type: ignore[arg-type]
        for pool in self.gpu_pools:
            for itype in pool.instance_types:
                row, price = instance_row(itype), catalog.instance(itype, self.region)
                if row is None or row.accelerator is None or not isinstance(price, Price):
                    continue
                per_gpu = round(price.amount / row.accelerator.count, 4)
                model = row.accelerator.model
                out[model] = min(out.get(model, per_gpu), per_gpu)
        return out

    @property
    def opencost_prices(self) -> dict[str, str]:
        """OpenCost's custom pricing from the catalog: the system instance's hourly list price split between its
        vCPUs and GiB in OpenCost's default ratio; a GPU-hour as the mean, over the GPU pools' types, of what
        is left of the type's price after its vCPUs and memory; storage per GiB-hour of the StorageClass's disks."""
        catalog = prices(self.rules.name)  # type: ignore[arg-type]
        system = self.system_instance_types[0]
        row, price = instance_row(system), catalog.instance(system, self.region)
        scale = 1.0
        if row is not None and isinstance(price, Price):
            scale = price.amount / (row.vcpu * d.OPENCOST_CPU_HOUR + row.memory_gib * d.OPENCOST_RAM_GIB_HOUR)
        cpu, ram = d.OPENCOST_CPU_HOUR * scale, d.OPENCOST_RAM_GIB_HOUR * scale
        per_gpu = []
        for itype in sorted({t for pool in self.gpu_pools for t in pool.instance_types}):
            row, price = instance_row(itype), catalog.instance(itype, self.region)
            if row is not None and row.accelerator is not None and isinstance(price, Price):
                per_gpu.append(max(price.amount - row.vcpu * cpu - row.memory_gib * ram, 0) / row.accelerator.count)
        storage = catalog.service(self.defaults.storage_sku, self.region)
        spot = catalog.spot.ratio
        return {
            "description": f"aiplatform price catalog ({catalog.cloud} {self.region}, as of {catalog.as_of})",
            "CPU": f"{cpu:.6f}", "spotCPU": f"{cpu * spot:.6f}",
            "RAM": f"{ram:.6f}", "spotRAM": f"{ram * spot:.6f}",
            "GPU": f"{sum(per_gpu) / len(per_gpu):.6f}" if per_gpu else "0",
            "storage": f"{storage.amount / HOURS_PER_MONTH:.8f}" if storage is not None else "0",
        }
