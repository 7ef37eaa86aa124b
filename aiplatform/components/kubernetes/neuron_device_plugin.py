"""NeuronDevicePlugin: advertises `aws.amazon.com/neuron` on the platform's Neuron nodes (inf2, trn1), and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.instances import DEVICE_RESOURCE
from ...catalog.pins import NEURON_DEVICE_PLUGIN
from .._base import LABEL_PREFIX, ArgsChecker, child_opts
from .helm import pinned_release

TYPE = "aiplatform:index:NeuronDevicePlugin"
#: The chart puts the plugin's DaemonSet in kube-system (`devicePlugin.namespaceOverride`); the release lives there too.
NAMESPACE = "kube-system"
RESOURCE = DEVICE_RESOURCE["aws-neuron"]
#: Only nodes of the platform's Neuron pools (EksGpuNodePool labels them by vendor).
NODE_SELECTOR = {f"{LABEL_PREFIX}accelerator-vendor": "aws-neuron"}
TOLERATIONS = [
    {"key": RESOURCE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": "CriticalAddonsOnly", "operator": "Exists"},
]


class NeuronDevicePluginArgs(TypedDict, total=False):
    instance_types: Sequence[str]
    """Instance types of the Neuron pools: the chart schedules the plugin only on these (required)."""


class NeuronDevicePlugin(pulumi.ComponentResource):
    """The AWS Neuron device plugin (pinned Helm chart) as a DaemonSet on Neuron nodes only, tolerating
    the Neuron taint; the chart's scheduler extension and node problem detector stay off."""

    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: NeuronDevicePluginArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        types = sorted(set(args.get("instance_types") or []))
        check = ArgsChecker(TYPE, name)
        check.require(bool(types), "instance_types", "required: the instance types of the Neuron pools")
        check.done()
        self.release = pinned_release(
            f"{name}-neuron-device-plugin",
            NEURON_DEVICE_PLUGIN,
            namespace=NAMESPACE,
            release_name="neuron-device-plugin",
            values={
                # The chart's DaemonSet requires node.kubernetes.io/instance-type in this list.
                "neuronInstances": types,
                "devicePlugin": {
                    "nodeSelector": NODE_SELECTOR,
                    "tolerations": TOLERATIONS,
                    "priorityClassName": "system-node-critical",
                },
                "scheduler": {"enabled": False},
                "npd": {"enabled": False},
            },
            opts=child_opts(self),
        )
        self.register_outputs({"namespace": NAMESPACE})


__all__ = ["NeuronDevicePlugin", "NeuronDevicePluginArgs"]
