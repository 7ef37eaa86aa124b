"""Would it schedule? Every workload that requests accelerators, against the GPU pools of a platform.

A plan can pass every test and guardrail and still leave a GPU pod Pending forever: a nodeSelector no
pool's labels satisfy, a pool taint the pod does not tolerate, more accelerators per pod than any node
has, or a namespace quota below one pod's request. `unschedulable(plan, platform)` checks each
Deployment, StatefulSet, Job, CronJob, Pod (and DaemonSet, ReplicaSet) template that requests
accelerators against every GPU pool of `platform` (the same plan by default; a team stack passes its
platform's plan), as the Kubernetes scheduler would filter nodes, and names what fails:

    problems = unschedulable(team_plan, platform_plan)
    assert problems == []

Pools are read from EKS node groups (`labels`, `taints`, `instanceTypes`) and GKE node pools
(`nodeConfig.labels`, `nodeConfig.taints`, the machine type, `guestAccelerators`, GPU sharing and MIG);
per-node accelerators come from the catalog, never from a type's name. Values unknown in a preview
count as "could match" (the check runs again on an up-mode plan). It reads engine-shaped props only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalog import DEVICE_RESOURCE, instance_row
from .guardrails.rules.kubernetes import ACCELERATOR_RESOURCES, POD_SPEC_PATHS, containers, pod_spec
from .guardrails.rules.tenancy import quota_caps as tenancy_quota_caps
from .shape.plan import Plan
from .shape.props import as_list, as_number, get, is_unknown, known, reveal
from .shape.resource import Resource
from .shape.types import EKS_NODE_GROUP, GKE_NODE_POOL, RESOURCE_QUOTA

#: Taint effects that keep a pod off a node it does not tolerate (engine spellings of both clouds).
BLOCKING_EFFECTS = {"NoSchedule": "NoSchedule", "NO_SCHEDULE": "NoSchedule",
                    "NoExecute": "NoExecute", "NO_EXECUTE": "NoExecute"}



@dataclass(frozen=True)
class NodePool:
    """A GPU pool as the scheduler sees its nodes."""

    name: str
    labels: Mapping[str, Any]
    taints: tuple[tuple[str, str, str], ...]  # (key, value, NoSchedule|NoExecute)
    #: Per extended resource, the accelerators one node of the pool offers (the largest type's).
    capacity: Mapping[str, float] = field(default_factory=dict)
    instance_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workload:
    urn: str
    kind: str
    namespace: str | None
    requests: Mapping[str, float]  # per pod
    node_selector: Mapping[str, Any]
    required_terms: tuple[tuple[tuple[str, str, tuple[str, ...]], ...], ...]  # OR of AND of (key, op, values)
    tolerations: tuple[Mapping[str, Any], ...]


def _props(resource: Any) -> dict[str, Any]:
    return reveal(resource.inputs)


def node_pools(plan: Plan) -> list[NodePool]:
    """The GPU pools of a platform plan (node groups and node pools that offer accelerators)."""
    out = []
    for r in plan.resources:
        props = _props(r)
        if r.type == EKS_NODE_GROUP:
            types = tuple(t for t in as_list(props.get("instanceTypes")) if isinstance(t, str))
            labels = props.get("labels") if isinstance(props.get("labels"), dict) else {}
            taints = tuple((t.get("key", ""), t.get("value", ""), BLOCKING_EFFECTS.get(t.get("effect", ""), ""))
                           for t in as_list(props.get("taints")) if isinstance(t, dict))
            capacity = _catalog_capacity(types)
        elif r.type == GKE_NODE_POOL:
            node = props.get("nodeConfig") if isinstance(props.get("nodeConfig"), dict) else {}
            machine = node.get("machineType")
            types = (machine,) if isinstance(machine, str) else ()
            labels = node.get("labels") if isinstance(node.get("labels"), dict) else {}
            taints = tuple((t.get("key", ""), t.get("value", ""), BLOCKING_EFFECTS.get(t.get("effect", ""), ""))
                           for t in as_list(node.get("taints")) if isinstance(t, dict))
            capacity = _gke_capacity(node, types)
        else:
            continue
        if capacity:
            out.append(NodePool(r.name, labels, tuple(t for t in taints if t[2]), capacity, types))
    return out


def _catalog_capacity(types: Iterable[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for t in types:
        row = instance_row(t)
        if row is not None and row.accelerator is not None:
            resource = DEVICE_RESOURCE[row.accelerator.vendor]
            found[resource] = max(found.get(resource, 0.0), float(row.accelerator.count))
    return found


def _gke_capacity(node: Mapping[str, Any], types: tuple[str, ...]) -> dict[str, float]:
    """GPUs a GKE node advertises: the declared accelerators, times the clients sharing each GPU, or the
    MIG partitions of each (`1g.10gb` on a 7-slice GPU: 7 per GPU)."""
    declared = [a for a in as_list(node.get("guestAccelerators")) if isinstance(a, dict)]
    if not declared:
        return _catalog_capacity(types)
    total = 0.0
    for accelerator in declared:
        count = as_number(accelerator.get("count")) or 0.0
        sharing = get(accelerator, "gpuSharingConfig.maxSharedClientsPerGpu")
        partition = accelerator.get("gpuPartitionSize")
        if known(sharing) and as_number(sharing):
            count *= as_number(sharing)  # type: ignore[operator]
        elif isinstance(partition, str) and partition[:1].isdigit():
            count *= 7 // int(partition.split("g", 1)[0])
        total += count
    return {DEVICE_RESOURCE["nvidia"]: total} if total else {}


def workloads(plan: Plan) -> list[Workload]:
    """The workloads of a plan whose pods request accelerators (requests, or limits standing for them)."""
    out = []
    for r in plan.resources:
        if r.type not in POD_SPEC_PATHS:
            continue
        props = _props(r)
        spec = pod_spec(Resource(r.type, r.urn, r.name, props))
        if spec is None:
            continue
        requests = _requests(spec)
        if not requests:
            continue
        selector = spec.get("nodeSelector") if isinstance(spec.get("nodeSelector"), dict) else {}
        out.append(Workload(
            urn=r.urn, kind=r.type.rsplit(":", 1)[-1], namespace=get(props, "metadata.namespace", None),
            requests=requests, node_selector=selector, required_terms=_required_terms(spec),
            tolerations=tuple(t for t in as_list(spec.get("tolerations")) if isinstance(t, dict)),
        ))
    return out


def _requests(spec: Mapping[str, Any]) -> dict[str, float]:
    """Per pod: the sum over its containers (init containers run first, so the larger of the two)."""
    main: dict[str, float] = {}
    init: dict[str, float] = {}
    for _, container in containers(dict(spec)):
        target = init if container in as_list(spec.get("initContainers")) else main
        for resource in ACCELERATOR_RESOURCES:
            value = None
            for kind in ("requests", "limits"):  # an extended resource's limit is its request
                block = get(container, f"resources.{kind}")
                if isinstance(block, dict) and resource in block:
                    value = as_number(block[resource])
                    break
            if value:
                if target is init:
                    target[resource] = max(target.get(resource, 0.0), value)
                else:
                    target[resource] = target.get(resource, 0.0) + value
    return {k: max(main.get(k, 0.0), init.get(k, 0.0)) for k in set(main) | set(init)}


def _required_terms(spec: Mapping[str, Any]) -> tuple[tuple[tuple[str, str, tuple[str, ...]], ...], ...]:
    terms = get(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", [])
    out = []
    for term in as_list(terms):
        if not isinstance(term, dict):
            continue
        out.append(tuple((e.get("key", ""), e.get("operator", "In"), tuple(str(v) for v in as_list(e.get("values"))))
                         for e in as_list(term.get("matchExpressions")) if isinstance(e, dict)))
    return tuple(out)


def _labels_match(workload: Workload, pool: NodePool) -> str | None:
    labels = pool.labels
    for key, value in workload.node_selector.items():
        if is_unknown(value) or is_unknown(labels.get(key)):
            continue
        if labels.get(key) != value:
            return f"nodeSelector {key}={value} (pool has {labels.get(key, 'no such label')})"
    if workload.required_terms and not any(all(_expression(e, labels) for e in term)
                                           for term in workload.required_terms):
        return "no required nodeAffinity term matches its labels"
    return None


def _expression(expression: tuple[str, str, tuple[str, ...]], labels: Mapping[str, Any]) -> bool:
    key, op, values = expression
    have = labels.get(key)
    if is_unknown(have):
        return True
    return {"In": have is not None and str(have) in values, "NotIn": have is None or str(have) not in values,
            "Exists": key in labels, "DoesNotExist": key not in labels}.get(op, True)


def _untolerated(workload: Workload, pool: NodePool) -> str | None:
    for key, value, effect in pool.taints:
        if not any(_tolerates(t, key, value, effect) for t in workload.tolerations):
            return f"taint {key}={value}:{effect} not tolerated"
    return None


def _tolerates(toleration: Mapping[str, Any], key: str, value: str, effect: str) -> bool:
    if toleration.get("effect") not in (None, "", effect):
        return False
    if toleration.get("operator", "Equal") == "Exists":
        return toleration.get("key") in (None, "", key)
    return toleration.get("key") == key and str(toleration.get("value", "")) == str(value)


def _too_big(workload: Workload, pool: NodePool) -> str | None:
    for resource, amount in workload.requests.items():
        if amount > pool.capacity.get(resource, 0.0):
            return f"{amount:g} {resource} per pod, nodes offer {pool.capacity.get(resource, 0.0):g}"
    return None


def quota_caps(plan: Plan) -> dict[str, dict[str, float]]:
    """Per namespace, the known `requests.<accelerator>` caps of its ResourceQuotas (the quota rules' reader;
    Kubernetes quotas extended resources by their requests only)."""
    quotas = [Resource(r.type, r.urn, r.name, _props(r)) for r in plan.resources if r.type == RESOURCE_QUOTA]
    return {ns: {k: v for k, v in caps.items() if v is not None} for ns, caps in tenancy_quota_caps(quotas).items()}


def unschedulable(plan: Plan, platform: Plan | None = None) -> list[str]:
    """`<urn>: <why>` for every accelerator workload of `plan` that no GPU pool of `platform` can run (pools
    and quotas are read from `platform`, or from `plan` itself when it is the platform's own)."""
    source = platform or plan
    pools = node_pools(source)
    caps = quota_caps(source) | (quota_caps(plan) if platform is not None else {})
    problems = []
    for workload in workloads(plan):
        reasons = []
        for pool in pools:
            why = _labels_match(workload, pool) or _untolerated(workload, pool) or _too_big(workload, pool)
            if why is None:
                break
            reasons.append(f"{pool.name}: {why}")
        else:
            listed = "; ".join(reasons) or "the platform has no GPU pool"
            problems.append(f"{workload.urn}: no GPU pool can run it ({listed})")
            continue
        for resource, amount in workload.requests.items():
            cap = caps.get(workload.namespace or "", {}).get(resource)
            if cap is not None and amount > cap:
                problems.append(f"{workload.urn}: {amount:g} {resource} per pod, namespace {workload.namespace} "
                                f"quota allows {cap:g}")
    return problems
