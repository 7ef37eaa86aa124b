"""Team tenancy: GPU quotas on every namespace GPU pods may use, team budgets at quota, RBAC without wildcards."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...cost.estimate import stack_region
from ...catalog import cloud_of, instance_row
from ...catalog.prices import HOURS_PER_MONTH, NOT_OFFERED, prices
from ...labels import ACCELERATORS_ANNOTATION, BUDGET_ANNOTATION, TEAM_LABEL
from ...shape.pools import POOL_TYPES, pool_of
from ...shape.props import MISSING, as_list, as_number, get, known
from ...shape.resource import Resource
from .._rule import resource_rule, stack_rule
from .kubernetes import ACCELERATOR_RESOURCES, WORKLOAD_TYPES, containers, pod_spec

NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
RBAC_TYPES = frozenset({"kubernetes:rbac.authorization.k8s.io/v1:Role",
                        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"})


def _name(resource: Resource) -> str | None:
    name = resource.get("metadata.name")
    return name if isinstance(name, str) and known(name) else None


def _namespace_of(resource: Resource) -> str | None:
    namespace = resource.get("metadata.namespace")
    if namespace is MISSING or namespace in (None, ""):  # not set: the provider's default namespace
        return "default"
    return namespace if isinstance(namespace, str) and known(namespace) else None


def _annotation(resource: Resource, key: str) -> str | None:
    annotations = resource.get("metadata.annotations")
    value = annotations.get(key) if isinstance(annotations, dict) else None
    return value if isinstance(value, str) and known(value) else None


def _quota_caps(quotas: list[Resource]) -> dict[str, dict[str, float | None]]:
    """Per namespace: the accelerator resources its quotas cap, and how many (None when unknown)."""
    caps: dict[str, dict[str, float | None]] = {}
    for quota in quotas:
        namespace = _namespace_of(quota)
        hard = quota.get("spec.hard")
        if namespace is None or not isinstance(hard, dict):
            continue
        for device in ACCELERATOR_RESOURCES:
            value = hard.get(f"requests.{device}")
            if value is not None:
                caps.setdefault(namespace, {})[device] = as_number(value) if known(value) else None
    return caps


def _accelerators_used(resource: Resource) -> set[str]:
    spec = pod_spec(resource)
    used: set[str] = set()
    for _, container in containers(spec or {}):
        for kind in ("requests", "limits"):
            block = get(container, f"resources.{kind}")
            if isinstance(block, dict):
                used.update(d for d in ACCELERATOR_RESOURCES if d in block)
    return used


@stack_rule(
    "aip-kubernetes-namespace-gpu-quota",
    area="kubernetes",
    severity=Severity.HIGH,
    reads=WORKLOAD_TYPES | {NAMESPACE, QUOTA},
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
    namespaces = {n: r for r in resources if r.type == NAMESPACE and (n := _name(r))}
    caps = _quota_caps([r for r in resources if r.type == QUOTA])
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
        used = _accelerators_used(workload)
        namespace = _namespace_of(workload)
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


def _accelerator_hour(pools: list[Resource], models: set[str], region: str) -> tuple[float, str] | None:
    """The dearest price of one accelerator-hour among the pools offering `models` (any when empty)."""
    best: tuple[float, str] | None = None
    for resource in pools:
        pool = pool_of(resource)
        if pool is None:
            continue
        for itype in pool.instance_types:
            row, cloud = instance_row(itype), cloud_of(itype)
            if row is None or row.accelerator is None or (models and row.accelerator.model not in models):
                continue
            catalog = prices(cloud)  # type: ignore[arg-type]
            price = catalog.instance(itype, region)
            if price is None or price is NOT_OFFERED:
                continue
            hourly = price.amount * (catalog.spot_ratio(itype) if pool.capacity == "spot" else 1.0)  # type: ignore[union-attr]
            per_accelerator = hourly / row.accelerator.count
            if best is None or per_accelerator > best[0]:
                best = (per_accelerator, f"{itype} ({row.accelerator.model}, {pool.capacity or 'on-demand'})")
    return best


@stack_rule(
    "aip-cost-team-budget",
    area="cost",
    severity=Severity.HIGH,
    reads=POOL_TYPES | {NAMESPACE, QUOTA, "pulumi:providers:aws", "pulumi:providers:gcp"},
    description="A team's GPU quota, priced at its dearest allowed accelerator for a whole month, fits the "
                "team's monthly budget.",
    why="The quota is what a team can spend without asking anyone: if running it full costs more than the "
        "budget, the budget is not enforced by anything.",
    remediation="Lower the team's `gpus` quota, restrict its `accelerators` to cheaper models, use spot pools "
                "outside production, or raise `monthly_budget_usd` once the budget owner agrees.",
    tags=("budget", "tenancy"),
)
def team_budget(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    namespaces = [r for r in resources if r.type == NAMESPACE and _name(r)]
    budgets = [(ns, b) for ns in namespaces if (b := _annotation(ns, BUDGET_ANNOTATION)) is not None]
    if not budgets:
        return
    caps = _quota_caps([r for r in resources if r.type == QUOTA])
    pools = [r for r in resources if r.type in POOL_TYPES]
    region = stack_region(resources)
    for ns, raw in budgets:
        name = _name(ns)
        budget = as_number(raw)
        gpus = max((v for v in caps.get(name, {}).values() if v is not None), default=0.0)
        if budget is None or not gpus:
            continue
        allowed = _annotation(ns, ACCELERATORS_ANNOTATION) or ""
        models = {m.strip() for m in allowed.split(",") if m.strip()}
        # Without a region or a listed price there is nothing to compare; the catalog and region rules
        # (aip-compliance-*) report those stacks, and `aiplatform cost` lists them as unpriced.
        dearest = _accelerator_hour(pools, models, region) if region is not None else None
        if dearest is None:
            continue
        hourly, what = dearest
        monthly = gpus * hourly * HOURS_PER_MONTH
        if monthly > budget:
            yield ns.urn, (f"team namespace {name}: {gpus:g} accelerators at ${hourly:,.2f}/h ({what}) cost "
                           f"${monthly:,.2f} a month, over its budget ${budget:,.2f}")


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
    frameworks=("cis-kubernetes:5.1.3",),
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
