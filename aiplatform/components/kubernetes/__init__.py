"""Cloud-neutral Kubernetes components (need `pulumi-kubernetes`)."""

from .llm_gateway import LlmGateway, LlmGatewayArgs, RouteArgs
from .nvidia_device_plugin import NvidiaDevicePlugin, NvidiaDevicePluginArgs
from .qdrant import Qdrant, QdrantArgs, QdrantSnapshotsArgs

__all__ = [
    "LlmGateway",
    "LlmGatewayArgs",
    "NvidiaDevicePlugin",
    "NvidiaDevicePluginArgs",
    "Qdrant",
    "QdrantArgs",
    "QdrantSnapshotsArgs",
    "RouteArgs",
]
