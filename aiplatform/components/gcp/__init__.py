"""GCP components: network, GKE cluster and GPU pools, Cloud KMS, model registry, workload identity."""

from .cloud_kms_key import CloudKmsKey, service_agent
from .gke_cluster import GkeCluster
from .gke_gpu_node_pool import GkeGpuNodePool
from .model_registry import GcsModelRegistry
from .network import GcpNetwork
from .pd_storage_class import PdStorageClass
from .workload_identity import WorkloadIdentity

__all__ = ["CloudKmsKey", "GcpNetwork", "GcsModelRegistry", "GkeCluster", "GkeGpuNodePool", "PdStorageClass", "WorkloadIdentity",
           "service_agent"]
