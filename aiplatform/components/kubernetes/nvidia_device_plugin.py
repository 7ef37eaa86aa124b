"""NvidiaDevicePlugin: advertises `nvidia.com/gpu` on the platform's NVIDIA nodes, and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.pins import NVIDIA_DEVICE_PLUGIN
from ...config import defaults as d
from .._base import LABEL_PREFIX, child_opts
from .helm import pinned_release

TYPE = "aiplatform:index:NvidiaDevicePlugin"

#: Schedule only on NVIDIA nodes whose AMI does not ship the plugin itself (Bottlerocket does).
NODE_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": f"{LABEL_PREFIX}accelerator-vendor", "operator": "In", "values": ["nvidia"]},
                        {"key": f"{LABEL_PREFIX}ami-family", "operator": "NotIn", "values": ["bottlerocket"]},
                    ]
                }
            ]
        }
    }
}


class NvidiaDevicePluginArgs(TypedDict, total=False):
    namespace: str
    """Namespace created for the plugin. Default: `nvidia-device-plugin`."""
    labels: Mapping[str, str]
    """Labels on the namespace (team, cost-center, environment). Default: none."""


class NvidiaDevicePlugin(pulumi.ComponentResource):
    """The NVIDIA device plugin (pinned Helm chart) as a DaemonSet on GPU nodes only,
    tolerating the GPU taint."""

    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: NvidiaDevicePluginArgs | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        args = args or {}
        namespace = args.get("namespace", d.NVIDIA_DEVICE_PLUGIN_NAMESPACE)
        ns = k8s.core.v1.Namespace(
            f"{name}-nvidia-device-plugin",
            metadata={
                "name": namespace,
                "labels": {
                    **dict(args.get("labels") or {}),
                    "app.kubernetes.io/managed-by": "aiplatform",
                    "pod-security.kubernetes.io/enforce": "privileged",
                },
            },
            opts=child_opts(self),
        )
        self.release = pinned_release(
            f"{name}-nvidia-device-plugin",
            NVIDIA_DEVICE_PLUGIN,
            namespace=ns.metadata.name,
            values={
                "affinity": NODE_AFFINITY,
                "tolerations": [
                    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
                    {"key": "CriticalAddonsOnly", "operator": "Exists"},
                ],
                "priorityClassName": "system-node-critical",
                "gfd": {"enabled": False},
            },
            opts=child_opts(self),
        )
        self.register_outputs({"namespace": ns.metadata.name})
