"""Cloud-neutral Kubernetes components (need `pulumi-kubernetes`)."""

from .gateway_route import GatewayRefArgs, GatewayRoute, GatewayRouteArgs
from .inference_service import InferenceService, InferenceServiceArgs
from .kueue import Kueue, KueueArgs, KueueFlavorArgs, KueueTeamArgs
from .llm_gateway import LlmGateway, LlmGatewayArgs
from .neuron_device_plugin import NeuronDevicePlugin, NeuronDevicePluginArgs
from .nvidia_device_plugin import NvidiaDevicePlugin, NvidiaDevicePluginArgs
from .observability import DcgmExporter, DcgmExporterArgs, MetricsStack, MetricsStackArgs
from .qdrant import Qdrant, QdrantArgs, QdrantSnapshotsArgs
from .team_namespace import TeamIdentityArgs, TeamNamespace, TeamNamespaceArgs

__all__ = [
    "DcgmExporter",
    "DcgmExporterArgs",
    "GatewayRefArgs",
    "GatewayRoute",
    "GatewayRouteArgs",
    "InferenceService",
    "InferenceServiceArgs",
    "Kueue",
    "KueueArgs",
    "KueueFlavorArgs",
    "KueueTeamArgs",
    "LlmGateway",
    "LlmGatewayArgs",
    "MetricsStack",
    "MetricsStackArgs",
    "NeuronDevicePlugin",
    "NeuronDevicePluginArgs",
    "NvidiaDevicePlugin",
    "NvidiaDevicePluginArgs",
    "Qdrant",
    "QdrantArgs",
    "QdrantSnapshotsArgs",
    "TeamIdentityArgs",
    "TeamNamespace",
    "TeamNamespaceArgs",
]
