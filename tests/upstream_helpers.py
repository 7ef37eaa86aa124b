"""The upstream files vendored under tests/data/upstream/ and what the pin tests need from them.

Each directory is `<name>-<version>` with a SOURCE.md naming repository, tag, commit, paths and date.
CRDs are kept byte for byte, gzip-compressed (`zcat` gives the upstream file).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from aiplatform.catalog import pins

UPSTREAM = Path(__file__).resolve().parent / "data" / "upstream"

#: Chart (as the plan's Release names it) -> vendored directory and its values file.
CHARTS: dict[str, tuple[pins.HelmChart, str]] = {
    "cluster-autoscaler": (pins.CLUSTER_AUTOSCALER, f"cluster-autoscaler-chart-{pins.CLUSTER_AUTOSCALER.version}/values.yaml"),
    "nvidia-device-plugin": (pins.NVIDIA_DEVICE_PLUGIN, f"nvidia-device-plugin-{pins.NVIDIA_DEVICE_PLUGIN.version}/values.yaml"),
    # Envoy Gateway's release packages values.tmpl.yaml as the chart's values.yaml (image tags filled in).
    "oci://docker.io/envoyproxy/gateway-helm": (pins.ENVOY_GATEWAY, f"gateway-helm-{pins.ENVOY_GATEWAY.version}/values.tmpl.yaml"),
    "qdrant": (pins.QDRANT, f"qdrant-{pins.QDRANT.version}/values.yaml"),
    "oci://registry.k8s.io/kueue/charts/kueue": (pins.KUEUE, f"kueue-{pins.KUEUE.version}/values.yaml"),
    "oci://public.ecr.aws/neuron/neuron-helm-chart": (
        pins.NEURON_DEVICE_PLUGIN, f"neuron-helm-chart-{pins.NEURON_DEVICE_PLUGIN.version}/values.yaml"),
    "kube-prometheus-stack": (
        pins.KUBE_PROMETHEUS_STACK, f"kube-prometheus-stack-{pins.KUBE_PROMETHEUS_STACK.version}/values.yaml"),
    "dcgm-exporter": (pins.DCGM_EXPORTER, f"dcgm-exporter-{pins.DCGM_EXPORTER.version}/values.yaml"),
    "opencost": (pins.OPENCOST, f"opencost-{pins.OPENCOST.version}/values.yaml"),
    "kube-state-metrics": (pins.KUBE_STATE_METRICS, f"kube-state-metrics-{pins.KUBE_STATE_METRICS.version}/values.yaml"),
    "keda": (pins.KEDA, f"keda-{pins.KEDA.version}/values.yaml"),
    "keda-add-ons-http": (pins.KEDA_HTTP_ADD_ON, f"keda-add-ons-http-{pins.KEDA_HTTP_ADD_ON.version}/values.yaml"),
}

#: Charts that are dependencies of a pinned chart (not released on their own): their values files, and, per
#: parent chart, the value key under which each one's values go.
SUBCHART_VALUES: dict[str, str] = {
    "kube-state-metrics": f"kube-state-metrics-{pins.KUBE_STATE_METRICS_CHART_VERSION}/values.yaml",
}
SUBCHARTS: dict[str, dict[str, str]] = {"kube-prometheus-stack": {"kube-state-metrics": "kube-state-metrics"}}

#: Value paths whose content the chart passes through as a whole (a Kubernetes object, a map of
#: labels or flags, or the application's own config file), as each chart's values.yaml documents them.
#: Below these paths the chart has no keys to check.
FREE_FORM: dict[str, frozenset[str]] = {
    "cluster-autoscaler": frozenset({
        "extraArgs",  # "Additional container arguments": every key becomes --key=value
        "nodeSelector", "resources",  # Kubernetes nodeSelector / ResourceRequirements
    }),
    "nvidia-device-plugin": frozenset({"affinity"}),  # a Kubernetes Affinity
    "oci://docker.io/envoyproxy/gateway-helm": frozenset({"deployment.pod.labels"}),  # pod labels
    "qdrant": frozenset({
        "config",  # "config: Qdrant configuration" rendered into the config file
        "podLabels", "resources", "serviceAccount.annotations",
    }),
    "oci://public.ecr.aws/neuron/neuron-helm-chart": frozenset({"devicePlugin.nodeSelector"}),
    "kube-prometheus-stack": frozenset({
        "prometheus.prometheusSpec.storageSpec",  # "Prometheus StorageSpec": a volumeClaimTemplate
        "prometheus.prometheusSpec.externalLabels",  # a map of labels
        "alertmanager.config",  # "Alertmanager configuration directives": Alertmanager's own config file
        "prometheus.serviceAccount.annotations",  # the service account's annotations (IRSA's role ARN)
    }),
    "dcgm-exporter": frozenset({"affinity"}),  # a Kubernetes Affinity
    # "Configures the pricing model": templates/configmap-custom-pricing.yaml writes every key into the file
    "opencost": frozenset({"opencost.customPricing.costModel"}),
    "kube-state-metrics": frozenset(),
    "oci://registry.k8s.io/kueue/charts/kueue": frozenset({"controllerManager.nodeSelector"}),  # a nodeSelector
    "keda": frozenset({"nodeSelector"}),  # a nodeSelector (every KEDA pod)
    "keda-add-ons-http": frozenset({f"{part}.nodeSelector" for part in ("operator", "scaler", "interceptor")}),
}

#: Value paths a chart's values.yaml documents only in a comment (`# key: ...`), with the vendored
#: template that reads them (tests check both the comment and the template's `.Values.<path>`).
COMMENTED: dict[str, dict[str, str]] = {
    "qdrant": {
        "apiKey": "templates/statefulset.yaml",  # "# apiKey: false" (true: the chart generates one)
        "persistence.storageClassName": "templates/statefulset.yaml",  # "# storageClassName: local-path"
    },
}


@cache
def chart_values(chart: str) -> dict[str, Any]:
    relative = CHARTS[chart][1] if chart in CHARTS else SUBCHART_VALUES[chart]
    return yaml.safe_load((UPSTREAM / relative).read_text(encoding="utf-8"))


def key_paths(values: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every (dotted path, value) of a nested mapping, leaves and inner nodes alike."""
    if isinstance(values, dict):
        for key, value in values.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path, value
            yield from key_paths(value, path)


def missing_keys(chart: str, values: dict[str, Any]) -> list[str]:
    """Paths the project sets that the chart's values.yaml does not have (outside free-form maps)."""
    upstream, free, commented = chart_values(chart), FREE_FORM[chart], COMMENTED.get(chart, {})
    out = []
    for key, subchart in SUBCHARTS.get(chart, {}).items():  # a dependency's values: checked against its chart
        out += [f"{key}.{path}" for path in missing_keys(subchart, values.get(key) or {})]
        free = free | {key}
    for path, _ in key_paths(values):
        if path in SUBCHARTS.get(chart, {}):
            continue
        parts = path.split(".")
        if path in commented:
            continue
        if any(".".join(parts[:i]) in free for i in range(1, len(parts))):
            continue  # below a free-form map
        node: Any = upstream
        for part in parts:
            if not isinstance(node, dict) or part not in node:
                out.append(path)
                break
            node = node[part]
    return out


def load_yaml_documents(relative: str) -> list[dict[str, Any]]:
    path = UPSTREAM / relative
    raw = gzip.decompress(path.read_bytes()).decode() if path.suffix == ".gz" else path.read_text(encoding="utf-8")
    return [doc for doc in yaml.safe_load_all(raw) if doc]


# --- RBAC --------------------------------------------------------------------------------------------

_IF = re.compile(r"^\s*\{\{-?\s*if (.+?)\s*-?\}\}\s*$")
_END = re.compile(r"^\s*\{\{-?\s*end\s*-?\}\}\s*$")
_CLOUD = re.compile(r'eq\s+\.Values\.cloudProvider\s+"([^"]+)"')
_VALUE = re.compile(r"\.Values\.([A-Za-z.]+)")


def _condition(expr: str, values: dict[str, Any], cloud: str) -> bool:
    clouds = _CLOUD.findall(expr)
    if clouds:  # every cloudProvider condition of this template: true iff it names our cloud
        return cloud in clouds
    names = _VALUE.findall(expr)
    if not names or not (expr.startswith("and ") or len(names) == 1):
        raise ValueError(f"template condition not understood: {expr!r}")
    results = []
    for name in names:
        node: Any = values
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        results.append(bool(node))
    return all(results)


def render_cluster_role(relative: str, values: dict[str, Any], cloud: str) -> dict[str, Any] | None:
    """The autoscaler chart's ClusterRole for `values` and `cloud`: its `{{ if }}` blocks evaluated
    (conditions this function does not understand raise), other template actions blanked."""
    out, stack = [], [True]
    for line in (UPSTREAM / relative).read_text(encoding="utf-8").splitlines():
        if m := _IF.match(line):
            stack.append(stack[-1] and _condition(m.group(1), values, cloud))
        elif _END.match(line):
            stack.pop()
        elif stack[-1] and not re.fullmatch(r"\s*\{\{.*\}\}\s*", line):  # a line of its own: labels
            out.append(re.sub(r"\{\{.*?\}\}", "x", line))
    assert stack == [True], "unbalanced if/end in the template"
    return yaml.safe_load("\n".join(out)) if out else None


def rule_grants(rules: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    """(apiGroup, resource, verb, resourceName or '*') granted by RBAC rules."""
    out = set()
    for rule in rules:
        for group in rule.get("apiGroups", []):
            for resource in rule.get("resources", []):
                for verb in rule.get("verbs", []):
                    for name in rule.get("resourceNames") or ["*"]:
                        out.add((group, resource, verb, name))
    return out


def uncovered(needed: set[tuple[str, str, str, str]], granted: set[tuple[str, str, str, str]]) -> list[tuple]:
    return sorted(n for n in needed if n not in granted and (*n[:3], "*") not in granted)
