"""DcgmExporter: NVIDIA's DCGM exporter (pinned chart) on the platform's NVIDIA nodes only, its GPU series
attributed to the pod, namespace and node that use each GPU."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ....catalog.pins import DCGM_EXPORTER
from ....config import defaults as d
from ..._base import LABEL_PREFIX, child_opts
from ..helm import pinned_release

TYPE = "aiplatform:index:DcgmExporter"
#: Every NVIDIA node of the platform's pools (Bottlerocket's too: unlike the device plugin, its AMI has no exporter).
NODE_AFFINITY = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": f"{LABEL_PREFIX}accelerator-vendor", "operator": "In", "values": ["nvidia"]}]}]}}}
NAMESPACE = d.GPU_METRICS_NAMESPACE
#: Scrape relabeling: the node of the exporter's pod as `node` (joins kube_node_labels for pool and accelerator),
#: and the exporter pod's own namespace/pod/container dropped, so that with honorLabels the labels DCGM writes
#: (the pod that holds the GPU) are the only ones; an unallocated GPU has none.
RELABELINGS = [
    {"sourceLabels": ["__meta_kubernetes_pod_node_name"], "targetLabel": "node", "action": "replace"},
    {"regex": "pod|namespace|container", "action": "labeldrop"},
]


class DcgmExporterArgs(TypedDict, total=False):
    namespace: str
    """Namespace created for the exporter (privileged: DCGM reads the GPUs). Default: `gpu-metrics`."""
    labels: Mapping[str, str]
    """Labels on the namespace (team, cost-center, environment). Default: none."""


class DcgmExporter(pulumi.ComponentResource):
    """The DCGM exporter DaemonSet on the NVIDIA nodes of the platform's pools, tolerating the
    GPU taint, with the chart's ServiceMonitor for the platform's Prometheus."""

    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: DcgmExporterArgs | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        args = args or {}
        ns = k8s.core.v1.Namespace(f"{name}-dcgm-exporter", metadata={
            "name": args.get("namespace", NAMESPACE),
            "labels": {**dict(args.get("labels") or {}), "app.kubernetes.io/managed-by": "aiplatform",
                       "pod-security.kubernetes.io/enforce": "privileged"},
        }, opts=child_opts(self))
        self.release = pinned_release(f"{name}-dcgm-exporter", DCGM_EXPORTER, namespace=ns.metadata.name, values={
            "affinity": NODE_AFFINITY,
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "serviceMonitor": {"enabled": True, "honorLabels": True, "relabelings": RELABELINGS},
        }, opts=child_opts(self))
        self.register_outputs({"namespace": ns.metadata.name})


__all__ = ["DcgmExporter", "DcgmExporterArgs"]
