"""AWS components, built from plain `pulumi_aws` resources so the offline plan sees every one."""

from .cluster_autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs
from .eks_cluster import EksCluster, EksClusterArgs
from .eks_gpu_node_pool import EksGpuNodePool, EksGpuNodePoolArgs
from .network import Network, NetworkArgs

__all__ = [
    "ClusterAutoscaler",
    "ClusterAutoscalerArgs",
    "EksCluster",
    "EksClusterArgs",
    "EksGpuNodePool",
    "EksGpuNodePoolArgs",
    "Network",
    "NetworkArgs",
]
