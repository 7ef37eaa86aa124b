"""Team tenancy in Kubernetes: GPU quotas on every namespace GPU pods may use, RBAC without wildcards.

The readers of namespaces, quotas and annotations here are shared with the team-budget rule (`budget`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...labels import TEAM_LABEL
from ...shape.props import as_list, as_number, known
from ...shape.resource import Resource
from ...shape.types import NAMESPACE, RESOURCE_QUOTA
from .._rule import resource_rule, stack_rule
from ..frameworks import CIS_KUBERNETES_RBAC_WILDCARDS
from .kubernetes import ACCELERATOR_RESOURCES, WORKLOAD_TYPES, accelerators_used, namespace_of, pod_spec

AREA = "kubernetes"
RBAC_TYPES = frozenset({"kubernetes:rbac.authorization.k8s.io/v1:Role",
                        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"})


def metadata_name(resource: Resource) -> str | None:
    name = resource.get("metadata.name")
    return name if isinstance(name, str) and known(name) else None


def annotation(resource: Resource, key: str) -> str | None:
    annotations = resource.get("metadata.annotations")
    value = annotations.get(key) if isinstance(annotations, dict) else None
    return value if isinstance(value, str) and known(value) else None


def quota_caps(quotas: list[Resource]) -> dict[str, dict[str, float | None]]:
    """Per namespace: the accelerator resources its quotas cap, and how many (None when unknown)."""
    caps: dict[str, dict[str, float | None]] = {}
    for quota in quotas:
        namespace = namespace_of(quota)
        hard = quota.get("spec.hard")
        if namespace is None or not isinstance(hard, dict):
            continue
        for device in ACCELERATOR_RESOURCES:
            value = hard.get(f"requests.{device}")
            if value is not None:
                caps.setdefault(namespace, {})[device] = as_number(value) if known(value) else None
    return caps


@stack_rule(
    "aip-kubernetes-namespace-gpu-quota",
    area="kubernetes",
    severity=Severity.HIGH,
    reads=WORKLOAD_TYPES | {NAMESPACE, RESOURCE_QUOTA},
    description="Every namespace where GPU pods may run has a ResourceQuota on its accelerator requests.",
    why="Without a quota one team's deployment (or one replica count typo) takes every GPU the autoscaler "
        "can buy; the pool's maximum is a platform-wide cap, not a team's.",
    remediation="Create the namespace with `TeamNamespace` (or the platform's `teams:` config), or add a "
                "ResourceQuota with `spec.hard[\"requests.nvidia.com/gpu\"]` (Neuron: "
                "`requests.aws.amazon.com/neuron`) in that namespace.",
    config={
        "resources": {"type": "array", "items": {"type": "string"}, "default": ["nvidia.com/gpu"],
                      "description": "Accelerator resources a team namespace's quota must cap."},
    },
    tags=("gpu", "tenancy"),
)
def namespace_gpu_quota(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    namespaces = {n: r for r in resources if r.type == NAMESPACE and (n := metadata_name(r))}
    caps = quota_caps([r for r in resources if r.type == RESOURCE_QUOTA])
    needed: dict[str, set[str]] = {}
    why: dict[str, str] = {}
    for name, ns in namespaces.items():
        labels = ns.get("metadata.labels")
        if isinstance(labels, dict) and TEAM_LABEL in labels:
            needed.setdefault(name, set()).update(config["resources"])
            why[name] = "a team namespace"
    for workload in resources:
        if workload.type not in WORKLOAD_TYPES:
            continue
        used = accelerators_used(pod_spec(workload))
        namespace = namespace_of(workload)
        # A namespace this stack does not create is checked where it is created (the platform stack).
        if used and namespace in namespaces:
            needed.setdefault(namespace, set()).update(used)
            why.setdefault(namespace, f"{workload.type.rsplit(':', 1)[-1]} {workload.name} requests accelerators")
    for namespace, devices in sorted(needed.items()):
        missing = sorted(d for d in devices if d not in caps.get(namespace, {}))
        if missing:
            yield namespaces[namespace].urn, (
                f"namespace {namespace} ({why[namespace]}) has no ResourceQuota capping "
                f"{', '.join(f'requests.{d}' for d in missing)}")


@resource_rule(
    "aip-kubernetes-rbac-no-wildcards",
    area="kubernetes",
    severity=Severity.HIGH,
    types=RBAC_TYPES,
    description="Roles and ClusterRoles name their verbs, resources and API groups; no `*`.",
    why="A wildcard grants every verb or resource that exists now and every one a future CRD adds: a team "
        "role with `*` can edit its own quota, network policies and role bindings.",
    remediation="List the verbs (get, list, watch, create, update, patch, delete) and the resources the team "
                "needs; `TeamNamespace` gives a reviewed set.",
    frameworks=CIS_KUBERNETES_RBAC_WILDCARDS,
    tags=("rbac", "tenancy"),
)
def rbac_no_wildcards(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    for index, rule in enumerate(as_list(resource.get("rules"))):
        if not isinstance(rule, dict):
            continue
        for field in ("verbs", "resources", "apiGroups", "nonResourceURLs"):
            values = [v for v in as_list(rule.get(field)) if isinstance(v, str) and known(v)]
            if any(v == "*" or v.endswith("/*") for v in values):
                yield f"rules[{index}].{field} contains a wildcard ({', '.join(values)})"
