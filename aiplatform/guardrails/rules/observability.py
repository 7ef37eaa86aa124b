"""Observability: GPU metrics where there are GPUs, and accelerator workloads scraped and under an SLO rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...catalog import instance_row
from ...cost.pools import POOL_TYPES, pool_of
from ...shape.props import as_list, get, is_unknown, known
from ...shape.resource import Resource
from ...shape.types import (
    EKS_CLUSTER,
    GKE_CLUSTER,
    GMP_CLUSTER_POD_MONITORING,
    GMP_POD_MONITORING,
    GMP_RULE_TYPES,
    HELM_RELEASE,
    POD_MONITOR,
    PROMETHEUS_RULE,
    SERVICE,
    SERVICE_MONITOR,
)
from .._rule import stack_rule
from .kubernetes import POD_SPEC_PATHS, WORKLOAD_TYPES, accelerators_used, containers, namespace_of, pod_spec

AREA = "observability"
#: The label the platform's SLO alerts carry (aiplatform.components.kubernetes.observability.rules).
SLO_LABEL = "aiplatform_slo"
#: A workload's pod template labels, next to its pod spec.
POD_LABEL_PATHS = {kind: path.removesuffix("spec") + "metadata.labels" for kind, path in POD_SPEC_PATHS.items()}
POD_LABEL_PATHS["kubernetes:core/v1:Pod"] = "metadata.labels"


#: The image of AWS's neuron-monitor (any tag): its Prometheus exporter collects Neuron metrics.
NEURON_MONITOR_IMAGE = "public.ecr.aws/neuron/neuron-monitor"


def _vendor(resource: Resource, vendor: str) -> bool:
    pool = pool_of(resource)
    if pool is None:
        return False
    rows = [instance_row(t) for t in pool.instance_types]
    return any(row is not None and row.accelerator is not None and row.accelerator.vendor == vendor for row in rows)


def _nvidia(resource: Resource) -> bool:
    return _vendor(resource, "nvidia")


def _runs_neuron_monitor(resource: Resource) -> bool | None:
    """True for a workload running neuron-monitor; None when its containers cannot be told."""
    spec = pod_spec(resource)
    if spec is None:
        return False
    images = [get(c, "image") for _, c in containers(spec)]
    if any(is_unknown(i) for i in images):
        return None
    return any(isinstance(i, str) and i.split("@")[0].rsplit(":", 1)[0] == NEURON_MONITOR_IMAGE for i in images)


def _collects_gpu_metrics(resource: Resource) -> bool | None:
    """True for a DCGM exporter release or a GKE cluster with managed DCGM; None when it cannot be told."""
    if resource.type == HELM_RELEASE:
        chart = resource.get("chart")
        if is_unknown(chart):
            return None
        return isinstance(chart, str) and chart.rsplit("/", 1)[-1] == "dcgm-exporter"
    components = resource.get("monitoringConfig.enableComponents")
    if is_unknown(components):
        return None
    return "DCGM" in [c for c in as_list(components) if isinstance(c, str)]


@stack_rule(
    "aip-observability-gpu-metrics",
    area="observability",
    severity=Severity.HIGH,
    reads=POOL_TYPES | WORKLOAD_TYPES | {HELM_RELEASE, GKE_CLUSTER, EKS_CLUSTER},
    description="A stack that creates a cluster with NVIDIA GPU pools collects GPU metrics (the DCGM exporter "
                "chart, or GKE's managed DCGM), and one with Neuron pools (inf2, trn1) runs neuron-monitor.",
    why="Without per-GPU utilisation and XID errors nobody sees GPUs that are allocated but idle (the largest "
        "waste in an AI platform) or GPUs that failed; the idle-GPU and XID alerts have nothing to read.",
    remediation="Leave `observability` on in the platform config (it installs the DCGM exporter, or enables GKE's "
                "managed DCGM), or install the `dcgm-exporter` chart, or add `DCGM` to the GKE cluster's "
                "`monitoringConfig.enableComponents`; for Neuron pools, run AWS's neuron-monitor image as a "
                "DaemonSet on the Neuron nodes (the platform's `NeuronMonitor`).",
    tags=("gpu", "monitoring"),
)
def gpu_metrics(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    # Collection is installed with the cluster: a stack adding pools to a cluster made elsewhere is judged there.
    if not any(r.type in (EKS_CLUSTER, GKE_CLUSTER) for r in resources):
        return
    yield from _neuron_metrics(resources)
    pools = [r for r in resources if r.type in POOL_TYPES and _nvidia(r)]
    if not pools:
        return
    verdicts = [_collects_gpu_metrics(r) for r in resources if r.type in (HELM_RELEASE, GKE_CLUSTER)]
    if any(v is not False for v in verdicts):
        return  # collected, or a release/cluster whose settings are unknown in this preview
    for pool in pools:
        yield pool.urn, (f"{pool.name} runs NVIDIA GPUs but the stack collects no GPU metrics (no dcgm-exporter "
                         "release, no GKE cluster with managed DCGM)")


def _neuron_metrics(resources: list[Resource]) -> Iterator[tuple[str | None, str]]:
    pools = [r for r in resources if r.type in POOL_TYPES and _vendor(r, "aws-neuron")]
    if not pools:
        return
    if any(_runs_neuron_monitor(r) is not False for r in resources if r.type in WORKLOAD_TYPES):
        return
    for pool in pools:
        yield pool.urn, (f"{pool.name} runs AWS Neuron accelerators but the stack collects no Neuron metrics (no "
                         "neuron-monitor DaemonSet)")


def _matches(selector: Any, labels: Mapping[str, Any], *, empty_selects_all: bool = True) -> bool | None:
    """Whether a label selector (matchLabels and matchExpressions) selects `labels`; None when unknown.
    An empty selector selects everything (a monitor's) or nothing (a Service's, `empty_selects_all=False`)."""
    if is_unknown(selector):
        return None
    if not isinstance(selector, dict):
        return False
    wanted, expressions = selector.get("matchLabels") or {}, selector.get("matchExpressions")
    if is_unknown(wanted) or is_unknown(expressions) or not isinstance(wanted, dict):
        return None if is_unknown(wanted) or is_unknown(expressions) else False
    if not wanted and not expressions:
        return empty_selects_all
    if any(not known(v) for v in wanted.values()):
        return None
    if any(labels.get(k) != v for k, v in wanted.items()):
        return False
    for expr in as_list(expressions):
        if not isinstance(expr, dict) or not known(expr.get("key")):
            return None
        key, op, values = expr["key"], expr.get("operator"), as_list(expr.get("values"))
        present = key in labels
        if ((op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values)
                or (op == "Exists" and not present) or (op == "DoesNotExist" and present)):
            return False
    return True


def _watches(monitor: Resource, namespace: str) -> bool | None:
    """Whether a ServiceMonitor/PodMonitor looks at `namespace` (its own, unless its namespaceSelector says); a
    GMP PodMonitoring always its own, a ClusterPodMonitoring every namespace."""
    if monitor.type == GMP_CLUSTER_POD_MONITORING:
        return True
    chosen = None if monitor.type == GMP_POD_MONITORING else monitor.get("spec.namespaceSelector")
    if is_unknown(chosen):
        return None
    if isinstance(chosen, dict) and chosen.get("any") is True:
        return True
    names = as_list(chosen.get("matchNames")) if isinstance(chosen, dict) else []
    if names:
        return namespace in names
    own = namespace_of(monitor)
    return None if own is None else own == namespace


def _slo_services(rules: list[Resource]) -> set[tuple[str, str]] | None:
    """(namespace, service) of every SLO alert in the plan's PrometheusRules; None when one is unknown."""
    out: set[tuple[str, str]] = set()
    for rule in rules:
        groups = rule.get("spec.groups")
        if is_unknown(groups):
            return None
        for group in as_list(groups):
            for item in as_list(group.get("rules") if isinstance(group, dict) else None):
                labels = item.get("labels") if isinstance(item, dict) else None
                if isinstance(labels, dict) and "alert" in item and labels.get(SLO_LABEL):
                    out.add((str(labels.get("namespace")), str(labels.get("service"))))
    return out


@stack_rule(
    "aip-observability-service-monitored",
    area="observability",
    severity=Severity.HIGH,
    reads=WORKLOAD_TYPES | {SERVICE, SERVICE_MONITOR, POD_MONITOR, PROMETHEUS_RULE, GMP_POD_MONITORING,
                            GMP_CLUSTER_POD_MONITORING} | GMP_RULE_TYPES,
    description="Every serving workload that requests accelerators is scraped (a ServiceMonitor of a Service that "
                "selects its pods, a PodMonitor, or GKE Managed Prometheus' PodMonitoring / ClusterPodMonitoring) "
                "and its Service is covered by an SLO alert rule (a PrometheusRule, or GMP Rules).",
    why="A model server nobody scrapes is invisible: its latency, queue and errors are unknown, and an idle one "
        "keeps its GPUs without anyone noticing. Without an SLO rule, slow answers page no one.",
    remediation="Run the model with `InferenceService` (it creates a ServiceMonitor and a PrometheusRule with "
                "burn-rate alerts; with `metrics_api: gmp` a PodMonitoring and Rules), or add a ServiceMonitor for its Service and a PrometheusRule whose alerts carry "
                "the labels `aiplatform_slo`, `namespace` and `service`.",
    config={
        "workloadKinds": {"type": "array", "items": {"type": "string"}, "default": ["Deployment", "StatefulSet"],
                          "description": "Workload kinds judged (Jobs are batch: their GPUs are watched through "
                                         "the GPU metrics)."},
    },
    tags=("gpu", "monitoring"),
)
def service_monitored(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    kinds = set(config["workloadKinds"])
    by_type: dict[str, list[Resource]] = {}
    for r in resources:
        by_type.setdefault(r.type, []).append(r)
    slo = _slo_services([r for t in (PROMETHEUS_RULE, *GMP_RULE_TYPES) for r in by_type.get(t, [])])
    for workload in resources:
        if workload.type not in WORKLOAD_TYPES or workload.type.rsplit(":", 1)[-1] not in kinds:
            continue
        spec = pod_spec(workload) or {}
        if not accelerators_used(spec):
            continue
        namespace, labels = namespace_of(workload), workload.get(POD_LABEL_PATHS[workload.type])
        if namespace is None or is_unknown(labels):
            continue
        labels = labels if isinstance(labels, dict) else {}
        services = [s for s in by_type.get(SERVICE, []) if namespace_of(s) == namespace
                    and _matches({"matchLabels": s.get("spec.selector")}, labels, empty_selects_all=False)]
        verdicts = [_matches(m.get("spec.selector"), labels) if _watches(m, namespace) else False
                    for t in (POD_MONITOR, GMP_POD_MONITORING, GMP_CLUSTER_POD_MONITORING) for m in by_type.get(t, [])]
        for service in services:
            service_labels = service.get("metadata.labels")
            service_labels = service_labels if isinstance(service_labels, dict) else {}
            verdicts += [_matches(m.get("spec.selector"), service_labels) if _watches(m, namespace) else False
                         for m in by_type.get(SERVICE_MONITOR, [])]
        if None in verdicts:
            continue
        kind = workload.type.rsplit(":", 1)[-1]
        if not any(verdicts):
            yield workload.urn, (f"{kind} {workload.name} requests accelerators but no ServiceMonitor or PodMonitor "
                                 f"scrapes it (namespace {namespace})")
            continue
        if slo is None:
            continue
        names = [service.get("metadata.name") for service in services]
        if not any((namespace, name) in slo for name in names):
            yield workload.urn, (f"{kind} {workload.name} is scraped but no SLO alert rule covers its Service "
                                 f"({', '.join(map(str, names)) or 'none'}) in namespace {namespace}")
