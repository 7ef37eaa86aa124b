"""The defaults that are the same on every cloud, each once.

A cloud's own defaults (and these, as its `CloudDefaults`) are in
`clouds/<cloud>.py`; the config sections, the resolved config and the
components that take the same argument standalone all read them from there.
A default that depends on the environment is a `ByEnv`: its `prod` value in
production, `other` in dev and staging.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ByEnv(Generic[T]):
    """A default that differs in production: `prod` there, `other` in dev and staging."""

    prod: T
    other: T

    def pick(self, environment: str) -> T:
        return self.prod if environment == "prod" else self.other


# ---- nodes
SYSTEM_MIN_NODES = 2
SYSTEM_MAX_NODES = 4
SYSTEM_DISK_SIZE_GIB = 50
GPU_DISK_SIZE_GIB = 200
NAT_GATEWAYS: ByEnv[str] = ByEnv("per-az", "single")

# ---- teams (the namespace quota)
TEAM_CPU = "32"
TEAM_MEMORY = "128Gi"
TEAM_PODS = 50
TEAM_PERSISTENT_VOLUME_CLAIMS = 10
TEAM_STORAGE = "500Gi"

# ---- model registry
REGISTRY_NAMESPACE = "ml-models"
REGISTRY_NONCURRENT_VERSION_DAYS = 90
REGISTRY_UNTAGGED_IMAGE_DAYS = 14
#: The serving-image repository of platform `<name>`.
REGISTRY_REPOSITORY_SUFFIX = "-serving"

# ---- vector store
VECTOR_STORE_NAMESPACE = "vector-store"
GATEWAY_NAMESPACE = "llm-gateway"
NVIDIA_DEVICE_PLUGIN_NAMESPACE = "nvidia-device-plugin"
KUEUE_NAMESPACE = "kueue-system"
#: KEDA and its HTTP add-on (the interceptor that holds requests while a service scales from zero).
KEDA_NAMESPACE = "keda"
QDRANT_SERVICE_ACCOUNT = "qdrant"
QDRANT_REPLICAS: ByEnv[int] = ByEnv(3, 1)
QDRANT_VOLUME_SIZE_GIB = 50
QDRANT_MEMORY = "4Gi"
QDRANT_SNAPSHOTS = True
SNAPSHOT_NONCURRENT_VERSION_DAYS = 30
#: A collection of platform `<name>` is `<name>-vectors`, cut to the service's 32 characters.
COLLECTION_SUFFIX = "-vectors"
COLLECTION_NAME_MAX = 32
STANDBY_REPLICAS: ByEnv[bool] = ByEnv(True, False)
#: The StorageClass reclaim policy of the vector store's volumes.
RECLAIM_POLICY: ByEnv[str] = ByEnv("Retain", "Delete")

# ---- gateway
GATEWAY_REPLICAS: ByEnv[int] = ByEnv(2, 1)
GATEWAY_REQUESTS_PER_MINUTE = 600
GATEWAY_TEAM_CLAIM = "groups"

# ---- observability
OBSERVABILITY_NAMESPACE = "monitoring"
#: The DCGM exporter's namespace (AWS; GKE collects GPU metrics itself).
GPU_METRICS_NAMESPACE = "gpu-metrics"
#: neuron-monitor's namespace (Neuron pools).
NEURON_METRICS_NAMESPACE = "neuron-monitor"
#: GKE Managed Prometheus reads its Alertmanager configuration from this namespace (GKE's own).
GMP_PUBLIC_NAMESPACE = "gmp-public"
METRICS_RETENTION_DAYS: ByEnv[int] = ByEnv(30, 7)
METRICS_VOLUME_GIB: ByEnv[int] = ByEnv(200, 50)
SLO_TTFT_P95_SECONDS = 2.5
SLO_OBJECTIVE = 0.99
SLO_QUEUE_DEPTH = 10
SLO_QUEUE_MINUTES = 10
IDLE_GPU_PERCENT = 5.0
IDLE_GPU_HOURS = 2.0
TEAM_429_RATIO = 0.05
#: OpenCost's default price ratio of a vCPU-hour to a GiB-hour of memory (its default.json: CPU 0.031611, RAM
#: 0.004237): the system instance's list price is split between its vCPUs and memory in this ratio.
OPENCOST_CPU_HOUR = 0.031611
OPENCOST_RAM_GIB_HOUR = 0.004237

#: Namespaces the platform itself uses (Kubernetes' own, the gateway's, the vector store's, the device
#: plugins', the metrics stack's, Kueue's, KEDA's); a team or the registry's service accounts cannot take one. A test
#: compares it with every namespace of every reference plan.
PLATFORM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", GATEWAY_NAMESPACE,
                                 VECTOR_STORE_NAMESPACE, NVIDIA_DEVICE_PLUGIN_NAMESPACE, OBSERVABILITY_NAMESPACE,
                                 GPU_METRICS_NAMESPACE, NEURON_METRICS_NAMESPACE, GMP_PUBLIC_NAMESPACE,
                                 KUEUE_NAMESPACE, KEDA_NAMESPACE})
