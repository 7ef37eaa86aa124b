"""NeuronMonitor: AWS's neuron-monitor and its Prometheus exporter (pinned image) on the platform's Neuron nodes
(inf2, trn1) only, tolerating the Neuron taint, scraped by the platform's Prometheus through a PodMonitor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ....catalog.pins import NEURON_MONITOR_IMAGE, NEURON_MONITOR_PORT
from ....config import defaults as d
from ..._base import LABEL_PREFIX, child_opts
from .monitors import pod_monitor

TYPE = "aiplatform:index:NeuronMonitor"
NAMESPACE = d.NEURON_METRICS_NAMESPACE
#: The pods' labels (the upstream DaemonSet's `app: neuron-monitor`).
SELECTOR = {"app.kubernetes.io/name": "neuron-monitor", "app.kubernetes.io/managed-by": "aiplatform"}
#: Only nodes of the platform's Neuron pools (EksGpuNodePool labels them by vendor), as the Neuron device plugin.
NODE_AFFINITY = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": f"{LABEL_PREFIX}accelerator-vendor", "operator": "In", "values": ["aws-neuron"]}]}]}}}
TOLERATIONS = [{"key": "aws.amazon.com/neuron", "operator": "Exists", "effect": "NoSchedule"}]
#: The node of the scraped pod as `node` (joins kube_node_labels for the pool and accelerator, as DCGM's series).
RELABELINGS = [{"sourceLabels": ["__meta_kubernetes_pod_node_name"], "targetLabel": "node", "action": "replace"}]


class NeuronMonitorArgs(TypedDict, total=False):
    labels: Mapping[str, str]
    """Labels on the namespace and objects (team, cost-center, environment). Default: none."""


class NeuronMonitor(pulumi.ComponentResource):
    """The neuron-monitor DaemonSet (privileged: it reads the Neuron devices; its `/metrics` on port 8000 named
    `metrics`) in its own namespace, and the PodMonitor of the platform's Prometheus."""

    daemon_set: k8s.apps.v1.DaemonSet

    def __init__(self, name: str, args: NeuronMonitorArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        labels = dict((args or {}).get("labels") or {})
        ns = k8s.core.v1.Namespace(f"{name}-neuron-monitor", metadata={
            "name": NAMESPACE,
            "labels": {**labels, "app.kubernetes.io/managed-by": "aiplatform",
                       "pod-security.kubernetes.io/enforce": "privileged"},
        }, opts=child_opts(self))
        after = child_opts(self, depends_on=[ns])
        pod_labels = {**labels, **SELECTOR}
        self.daemon_set = k8s.apps.v1.DaemonSet(f"{name}-neuron-monitor", metadata={
            "name": "neuron-monitor", "namespace": NAMESPACE, "labels": pod_labels,
        }, spec={
            "selector": {"matchLabels": SELECTOR},
            "template": {"metadata": {"labels": pod_labels}, "spec": {
                "affinity": NODE_AFFINITY,
                "tolerations": TOLERATIONS,
                "priorityClassName": "system-node-critical",
                "containers": [{
                    "name": "neuron-monitor",
                    "image": NEURON_MONITOR_IMAGE,
                    "command": ["/opt/bin/entrypoint.sh"],
                    "args": ["--port", str(NEURON_MONITOR_PORT),
                             "--neuron-monitor-config", "/opt/aws/neuron/bin/neuron-monitor.conf"],
                    "ports": [{"name": "metrics", "containerPort": NEURON_MONITOR_PORT}],
                    "resources": {"requests": {"cpu": "250m", "memory": "128Mi"},
                                  "limits": {"cpu": "500m", "memory": "256Mi"}},
                    "env": [{"name": "GOMEMLIMIT", "value": "160MiB"}],
                    "securityContext": {"privileged": True},
                }],
            }},
        }, opts=after)
        self.pod_monitor = pod_monitor(
            f"{name}-neuron-monitor", {"name": "neuron-monitor", "namespace": NAMESPACE, "labels": labels}, SELECTOR,
            [{"port": "metrics", "path": "/metrics", "interval": "30s", "relabelings": RELABELINGS}], after)
        self.register_outputs({"namespace": NAMESPACE})


__all__ = ["NeuronMonitor", "NeuronMonitorArgs"]
