"""Kubernetes workloads: accelerator requests that schedule, no host access, pinned images."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...catalog import DEVICE_RESOURCE
from ...catalog.pins import image_problem
from ...labels import QUEUE_LABEL
from ...shape.props import MISSING, as_bool, as_list, get, is_unknown, known
from ...shape.resource import Resource
from ...shape.types import DEPLOYMENT, HELM_RELEASE
from .._rule import resource_rule
from ..frameworks import POD_SECURITY_BASELINE

#: Where each workload kind keeps its pod spec.
POD_SPEC_PATHS = {
    "kubernetes:core/v1:Pod": "spec",
    DEPLOYMENT: "spec.template.spec",
    "kubernetes:apps/v1:StatefulSet": "spec.template.spec",
    "kubernetes:apps/v1:DaemonSet": "spec.template.spec",
    "kubernetes:apps/v1:ReplicaSet": "spec.template.spec",
    "kubernetes:batch/v1:Job": "spec.template.spec",
    "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
}
WORKLOAD_TYPES = frozenset(POD_SPEC_PATHS)
ACCELERATOR_RESOURCES = tuple(sorted(set(DEVICE_RESOURCE.values())))


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    spec = get(resource.props, POD_SPEC_PATHS.get(resource.type, ""))
    return spec if isinstance(spec, dict) else None


def containers(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for field in ("initContainers", "containers"):
        for index, container in enumerate(as_list(spec.get(field))):
            if isinstance(container, dict):
                name = container.get("name") if known(container.get("name")) else f"{field}[{index}]"
                yield str(name), container


def container_accelerators(container: dict[str, Any]) -> set[str]:
    """The accelerator resources a container requests or limits (`nvidia.com/gpu`, `aws.amazon.com/neuron`)."""
    used: set[str] = set()
    for kind in ("requests", "limits"):
        block = get(container, f"resources.{kind}")
        if isinstance(block, dict):
            used.update(d for d in ACCELERATOR_RESOURCES if d in block)
    return used


def accelerators_used(spec: dict[str, Any] | None) -> set[str]:
    """The accelerator resources any container of a pod spec requests or limits."""
    return {d for _, container in containers(spec or {}) for d in container_accelerators(container)}


def namespace_of(resource: Resource) -> str | None:
    """A namespaced object's namespace: "default" when unset (the provider's default), None when unknown."""
    namespace = resource.get("metadata.namespace")
    if namespace is MISSING or namespace in (None, ""):
        return "default"
    return namespace if isinstance(namespace, str) and known(namespace) else None


def _quantity(container: dict[str, Any], kind: str, resource_name: str) -> Any:
    block = get(container, f"resources.{kind}")
    return block.get(resource_name) if isinstance(block, dict) else None


def _tolerates(spec: dict[str, Any], key: str) -> bool | None:
    tolerations = spec.get("tolerations")
    if is_unknown(tolerations):
        return None
    for toleration in as_list(tolerations):
        if not isinstance(toleration, dict):
            continue
        operator = toleration.get("operator", "Equal")
        effect = toleration.get("effect")
        if effect not in (None, "", "NoSchedule"):
            continue
        if (operator == "Exists" and toleration.get("key") in (None, "", key)) or toleration.get("key") == key:
            return True
    return False


@resource_rule(
    "aip-kubernetes-accelerator-scheduling",
    area="kubernetes",
    severity=Severity.MEDIUM,
    types=WORKLOAD_TYPES,
    description="Containers that use accelerators set the device limit, and their pods tolerate the accelerator taint.",
    why="Extended resources such as nvidia.com/gpu are only allocated through limits, and aiplatform taints "
        "accelerator nodes; without both, pods stay Pending while the GPU nodes the autoscaler bought sit idle.",
    remediation="Set resources.limits[\"nvidia.com/gpu\"] (equal to any request) and add a toleration for the "
                "`nvidia.com/gpu` NoSchedule taint (Neuron: aws.amazon.com/neuron).",
    tags=("gpu",),
)
def accelerator_scheduling(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    spec = pod_spec(resource)
    if spec is None:
        return
    used: set[str] = set()
    for name, container in containers(spec):
        for device in ACCELERATOR_RESOURCES:
            request = _quantity(container, "requests", device)
            limit = _quantity(container, "limits", device)
            if request is None and limit is None:
                continue
            used.add(device)
            if is_unknown(request) or is_unknown(limit):
                continue
            if limit is None:
                yield f"container {name} requests {device} without a limit"
            elif request is not None and str(request) != str(limit):
                yield f"container {name}: {device} request {request} differs from limit {limit}"
    for device in sorted(used):
        if _tolerates(spec, device) is False:
            yield f"uses {device} but does not tolerate the {device} taint"


@resource_rule(
    "aip-kubernetes-no-host-access",
    area="kubernetes",
    severity=Severity.HIGH,
    types=WORKLOAD_TYPES,
    description="No privileged containers and no host network, PID or IPC namespaces.",
    why="A privileged container on a GPU node owns the node: its driver, its node role credentials and every "
        "other tenant's model in memory.",
    remediation="Remove securityContext.privileged and hostNetwork/hostPID/hostIPC; device plugins that need "
                "them are installed by the platform, not by workloads.",
    frameworks=POD_SECURITY_BASELINE,
    tags=("pod-security",),
)
def no_host_access(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    spec = pod_spec(resource)
    if spec is None:
        return
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if as_bool(spec.get(field)) is True:
            yield f"sets {field}: true"
    for name, container in containers(spec):
        if as_bool(get(container, "securityContext.privileged")) is True:
            yield f"container {name} is privileged"


@resource_rule(
    "aip-kubernetes-image-pinned",
    area="kubernetes",
    severity=Severity.MEDIUM,
    types=WORKLOAD_TYPES | {HELM_RELEASE},
    description="Container images are pinned by tag or digest, never `latest` or untagged.",
    why="`latest` changes under a running service: a node replacement or a scale-out pulls a different model "
        "server than the one that was tested.",
    remediation="Pin the image to a version tag, or better a digest (`image@sha256:...`).",
    tags=("supply-chain",),
)
def image_pinned(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type == HELM_RELEASE:
        tag = resource.get("values.image.tag")
        if known(tag) and tag == "latest":
            yield "values.image.tag is latest"
        return
    spec = pod_spec(resource)
    if spec is None:
        return
    for name, container in containers(spec):
        image = container.get("image")
        problem = image_problem(image) if known(image) else None
        if problem:
            yield f"container {name}: {problem}"


#: Where a batch kind keeps the labels Kueue reads (a CronJob's: those of the Jobs it creates).
QUEUE_LABEL_PATHS = {"kubernetes:batch/v1:Job": "metadata.labels",
                     "kubernetes:batch/v1:CronJob": "spec.jobTemplate.metadata.labels"}


@resource_rule(
    "aip-kubernetes-gpu-jobs-queued",
    area="kubernetes",
    severity=Severity.MEDIUM,
    types=frozenset(QUEUE_LABEL_PATHS),
    description="Jobs and CronJobs that request accelerators in team namespaces are submitted to Kueue "
                f"(the `{QUEUE_LABEL}` label).",
    why="A GPU Job that bypasses the queue is admitted by nobody: it takes GPUs the cohort has lent, is never "
        "preempted for the team that owns them, and when the namespace quota is full its pods fail instead of "
        "waiting their turn.",
    remediation=f"Label the Job (a CronJob: `spec.jobTemplate.metadata.labels`) with `{QUEUE_LABEL}: default`, "
                "the team's LocalQueue, and pick a priority with `kueue.x-k8s.io/priority-class: batch` (or "
                "`interactive`).",
    config={
        "exemptNamespaces": {"type": "array", "items": {"type": "string"},
                             "default": ["kube-system", "kube-public", "kube-node-lease", "kueue-system"],
                             "description": "Namespaces that are not a team's (platform add-ons)."},
    },
    tags=("gpu", "tenancy"),
)
def gpu_jobs_queued(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    namespace = resource.get("metadata.namespace")
    if is_unknown(namespace) or (namespace is not MISSING and namespace in config["exemptNamespaces"]):
        return
    spec = pod_spec(resource)
    if spec is None:
        return
    used = sorted(accelerators_used(spec))
    if not used:
        return
    path = QUEUE_LABEL_PATHS[resource.type]
    labels = resource.get(path)
    if is_unknown(labels) or (isinstance(labels, dict) and is_unknown(labels.get(QUEUE_LABEL))):
        return
    queue = labels.get(QUEUE_LABEL) if isinstance(labels, dict) else None
    if not queue:
        yield f"requests {', '.join(used)} without the {QUEUE_LABEL} label at {path}: it bypasses Kueue"
