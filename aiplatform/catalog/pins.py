"""Versions that drift, pinned in one place (DESIGN.md convention 7).

Every version the platform installs is here: EKS managed add-ons per
Kubernetes minor version, Helm chart versions and the images they run. A bump
is a deliberate, reviewed change of this file; `aws eks describe-addon-versions
--kubernetes-version X` lists what EKS offers for a version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: The Kubernetes version a new cluster gets when the config names none.
DEFAULT_KUBERNETES_VERSION = "1.34"

#: EKS managed add-ons, per Kubernetes minor version.
EKS_ADDON_VERSIONS: dict[str, dict[str, str]] = {
    "1.33": {
        "vpc-cni": "v1.19.5-eksbuild.1",
        "kube-proxy": "v1.33.0-eksbuild.2",
        "coredns": "v1.12.1-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
    },
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.34.0-eksbuild.2",
        "coredns": "v1.12.3-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    },
}

#: Optional add-ons, installed only when a component needs them (same versions table shape).
#: aws-ebs-csi-driver backs the persistent volumes of in-cluster stores (Qdrant).
EKS_OPTIONAL_ADDON_VERSIONS: dict[str, dict[str, str]] = {
    "1.33": {"aws-ebs-csi-driver": "v1.48.0-eksbuild.2"},
    "1.34": {"aws-ebs-csi-driver": "v1.48.0-eksbuild.2"},
}

SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = tuple(sorted(EKS_ADDON_VERSIONS))

#: Add-ons that must exist before any node joins (networking, identity).
EKS_ADDONS_BEFORE_COMPUTE: tuple[str, ...] = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")


@dataclass(frozen=True)
class HelmChart:
    chart: str
    version: str
    repository: str

    @property
    def is_oci(self) -> bool:
        return self.repository.startswith("oci://")


NVIDIA_DEVICE_PLUGIN = HelmChart(
    chart="nvidia-device-plugin",
    version="0.19.3",
    repository="https://nvidia.github.io/k8s-device-plugin",
)

#: 9.46.3 is the first chart whose ClusterRole grants `volumeattachments` (storage.k8s.io), which the
#: autoscaler images of Kubernetes 1.33 and 1.34 list (kubernetes/autoscaler #7663, #8678); 9.53.0 is the
#: last chart of the 1.34 line (appVersion 1.34.2). Verified in tests/data/upstream/cluster-autoscaler-*.
CLUSTER_AUTOSCALER = HelmChart(
    chart="cluster-autoscaler",
    version="9.53.0",
    repository="https://kubernetes.github.io/autoscaler",
)

#: Envoy Gateway (controller + Gateway API and Envoy Gateway CRDs), an OCI chart published at each
#: release tag (v1.8.4 was never tagged upstream: v1.8.3 is the last of the 1.8 line).
ENVOY_GATEWAY = HelmChart(
    chart="gateway-helm",
    version="v1.8.3",
    repository="oci://docker.io/envoyproxy",
)

#: The AWS Neuron device plugin (with Neuron's scheduler extension and node problem detector, both
#: turned off by `NeuronDevicePlugin`), an OCI chart; advertises `aws.amazon.com/neuron` on inf2/trn1 nodes.
NEURON_DEVICE_PLUGIN = HelmChart(
    chart="neuron-helm-chart",
    version="1.0.0",
    repository="oci://public.ecr.aws/neuron",
)

#: Qdrant; the chart's appVersion is the image it runs (pinned with it).
QDRANT = HelmChart(
    chart="qdrant",
    version="1.15.4",
    repository="https://qdrant.github.io/qdrant-helm",
)
QDRANT_IMAGE_TAG = "v1.15.4"

#: The metrics stack: Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics and the
#: node exporter (chart 88.5.3, operator appVersion v0.93.1; its CRDs and values are vendored in
#: tests/data/upstream/kube-prometheus-stack-88.5.3, kube-state-metrics' values in kube-state-metrics-8.4.0).
KUBE_PROMETHEUS_STACK = HelmChart(
    chart="kube-prometheus-stack",
    version="88.5.3",
    repository="https://prometheus-community.github.io/helm-charts",
)
#: The kube-state-metrics chart kube-prometheus-stack 88.5.3 depends on (its values live under `kube-state-metrics`).
KUBE_STATE_METRICS_CHART_VERSION = "8.4.0"
#: The same chart released on its own where there is no kube-prometheus-stack (GKE Managed Prometheus).
KUBE_STATE_METRICS = HelmChart(
    chart="kube-state-metrics",
    version=KUBE_STATE_METRICS_CHART_VERSION,
    repository="https://prometheus-community.github.io/helm-charts",
)

#: NVIDIA DCGM exporter (GPU utilisation, memory, XID errors per GPU, attributed to the pod using it);
#: chart 4.8.2 runs image 4.5.3-4.8.2 with the default counters vendored in tests/data/upstream/dcgm-exporter-4.8.2.
DCGM_EXPORTER = HelmChart(
    chart="dcgm-exporter",
    version="4.8.2",
    repository="https://nvidia.github.io/dcgm-exporter/helm-charts",
)

#: OpenCost (allocation of the cluster's cost to namespaces and labels, priced by the platform's catalog through
#: custom pricing); chart 2.5.17 runs OpenCost 1.120.1. Vendored in tests/data/upstream/opencost-2.5.17.
OPENCOST = HelmChart(
    chart="opencost",
    version="2.5.17",
    repository="https://opencost.github.io/opencost-helm-chart",
)

#: Kueue (job queueing: ClusterQueues per team in one cohort, LocalQueues, WorkloadPriorityClasses), an OCI
#: chart; v0.19.2 is the newest release upstream. The released chart runs the image of its own tag (the
#: release rewrites the repository's staging image), which `Kueue` sets explicitly.
KUEUE = HelmChart(
    chart="kueue",
    version="0.19.2",
    repository="oci://registry.k8s.io/kueue/charts",
)
KUEUE_IMAGE = "registry.k8s.io/kueue/kueue:v0.19.2"

#: AWS's neuron-monitor with its Prometheus exporter (the image's entrypoint pipes neuron-monitor into
#: neuron-monitor-prometheus.py on `--port`), as aws-neuron-sdk v2.32.0's src/k8s/k8s-neuron-monitor-daemonset.yml
#: runs it; the Neuron Helm chart has no monitor. Vendored in tests/data/upstream/aws-neuron-sdk-v2.32.0.
NEURON_MONITOR_IMAGE = "public.ecr.aws/neuron/neuron-monitor:1.3.0"
NEURON_MONITOR_PORT = 8000

#: KEDA (event-driven autoscaling: the ScaledObjects of `InferenceService` on vLLM's Prometheus metrics and cron
#: windows); chart 2.20.2 runs KEDA 2.20.2. Its values and the ScaledObject CRD are vendored in
#: tests/data/upstream/keda-2.20.2 (kedacore/charts and kedacore/keda at tag v2.20.2).
KEDA = HelmChart(
    chart="keda",
    version="2.20.2",
    repository="https://kedacore.github.io/charts",
)
#: The KEDA HTTP add-on (an interceptor that holds requests while a service scales from zero, and the external
#: scaler that reports them); chart 0.12.2 (kedacore/charts tag keda-add-ons-http-v0.12.2) runs add-on v0.12.2.
#: Values and the HTTPScaledObject CRD are vendored in tests/data/upstream/keda-add-ons-http-0.12.2.
KEDA_HTTP_ADD_ON = HelmChart(
    chart="keda-add-ons-http",
    version="0.12.2",
    repository="https://kedacore.github.io/charts",
)

#: The OpenAI-compatible model server `InferenceService` runs by default (vLLM). From v0.11.1 its image
#: installs the Run:ai model streamer with both the S3 and the GCS extras, so weights stream straight
#: from s3:// (EKS) and gs:// (GKE); v0.11.0's image had no GCS support (tests/data/upstream/vllm-0.11.1).
VLLM_IMAGE = "vllm/vllm-openai:v0.11.1"

#: The cluster-autoscaler image must match the cluster's Kubernetes minor version.
CLUSTER_AUTOSCALER_IMAGE_TAGS: dict[str, str] = {
    "1.33": "v1.33.0",
    "1.34": "v1.34.5",
}

#: EKS-optimised AMI types for managed node groups.
AMI_TYPE_SYSTEM = "AL2023_x86_64_STANDARD"
AMI_TYPES_BY_VENDOR: dict[str, tuple[str, ...]] = {
    # first entry is the default
    "nvidia": ("AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"),
    "aws-neuron": ("AL2023_x86_64_NEURON",),
}
GPU_AMI_TYPES: tuple[str, ...] = tuple(t for ts in AMI_TYPES_BY_VENDOR.values() for t in ts)


def addon_versions(kubernetes_version: str) -> dict[str, str]:
    try:
        return {**EKS_ADDON_VERSIONS[kubernetes_version], **EKS_OPTIONAL_ADDON_VERSIONS.get(kubernetes_version, {})}
    except KeyError:
        raise ValueError(
            f"no pinned EKS add-on versions for Kubernetes {kubernetes_version} "
            f"(supported: {', '.join(SUPPORTED_KUBERNETES_VERSIONS)})"
        ) from None


_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def image_problem(image: Any) -> str | None:
    """Why an image reference is not pinned (no tag, or `latest`), or None when it is (tag or digest).

    Callers skip values that are unknown during preview; a non-string is not judged.
    """
    if not isinstance(image, str):
        return None
    if _DIGEST.search(image):
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image} has no tag (means latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return f"image {image} uses the latest tag"
    return None
