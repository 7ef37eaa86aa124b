"""Cloud-neutral Kubernetes components (need `pulumi-kubernetes`)."""

from .nvidia_device_plugin import NvidiaDevicePlugin, NvidiaDevicePluginArgs

__all__ = ["NvidiaDevicePlugin", "NvidiaDevicePluginArgs"]
