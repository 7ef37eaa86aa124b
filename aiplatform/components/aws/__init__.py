"""AWS components, built from plain `pulumi_aws` resources so the offline plan sees every one."""

from .cluster_autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs
from .ebs_csi_driver import EbsCsiDriver, EbsCsiDriverArgs
from .eks_cluster import EksCluster, EksClusterArgs
from .eks_gpu_node_pool import EksGpuNodePool, EksGpuNodePoolArgs
from .grants import GrantArgs
from .managed_prometheus import AmpWorkspace, AmpWorkspaceArgs
from .model_registry import S3ModelRegistry, S3ModelRegistryArgs
from .network import Network, NetworkArgs
from .opensearch_vector_store import OpenSearchVectorStore, OpenSearchVectorStoreArgs
from .platform_key import PlatformKey, PlatformKeyArgs
from .secure_bucket import SecureBucket, SecureBucketArgs
from .workload_role import ClusterIdentityArgs, WorkloadRole, WorkloadRoleArgs

__all__ = [
    "AmpWorkspace",
    "AmpWorkspaceArgs",
    "ClusterAutoscaler",
    "ClusterAutoscalerArgs",
    "ClusterIdentityArgs",
    "EbsCsiDriver",
    "EbsCsiDriverArgs",
    "EksCluster",
    "EksClusterArgs",
    "EksGpuNodePool",
    "EksGpuNodePoolArgs",
    "GrantArgs",
    "Network",
    "NetworkArgs",
    "OpenSearchVectorStore",
    "OpenSearchVectorStoreArgs",
    "PlatformKey",
    "PlatformKeyArgs",
    "S3ModelRegistry",
    "S3ModelRegistryArgs",
    "SecureBucket",
    "SecureBucketArgs",
    "WorkloadRole",
    "WorkloadRoleArgs",
]
