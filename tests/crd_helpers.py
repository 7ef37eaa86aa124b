"""CRD openAPIV3Schema -> JSON Schema, as the API server reads a structural schema.

- `type`, `enum`, `required`, `properties`, `items`, `additionalProperties`, bounds and patterns carry over.
- An object with `properties` refuses fields it does not list (the server prunes them, and strict field
  validation, kubectl's default, refuses them), unless `x-kubernetes-preserve-unknown-fields: true` or
  `additionalProperties` says otherwise; `x-kubernetes-embedded-resource` adds apiVersion, kind, metadata.
- `x-kubernetes-int-or-string` allows an integer or a string; `nullable` allows null.
- `metadata` at the root is the server's ObjectMeta, not the CRD's to describe: left open.
- Not checked here: CEL rules (`x-kubernetes-validations`) and `format`s.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from upstream_helpers import load_yaml_documents

from aiplatform.catalog.pins import ENVOY_GATEWAY, KEDA, KEDA_HTTP_ADD_ON, KUBE_PROMETHEUS_STACK, KUEUE

#: The prometheus-engine release whose CRDs GKE Managed Prometheus objects are checked against (GKE manages the
#: operator; tests/data/upstream/prometheus-engine-v0.17.2/SOURCE.md).
GMP_VERSION = "v0.17.2"

#: The CRD files of each pinned chart that serves custom resources the platform writes, by the pin's version:
#: Envoy Gateway's (gatewayapi-crds.yaml is the Gateway API bundle it ships), Kueue's and the Prometheus
#: Operator's.
CRD_FILES: dict[str, tuple[str, ...]] = {
    ENVOY_GATEWAY.version: (
        "gateway-helm-{version}/crds/gatewayapi-crds.yaml.gz",
        "gateway-helm-{version}/crds/gateway.envoyproxy.io_envoyproxies.yaml.gz",
        "gateway-helm-{version}/crds/gateway.envoyproxy.io_securitypolicies.yaml.gz",
        "gateway-helm-{version}/crds/gateway.envoyproxy.io_backendtrafficpolicies.yaml.gz",
    ),
    KUEUE.version: tuple(f"kueue-{{version}}/crds/kueue.x-k8s.io_{kind}.yaml.gz" for kind in (
        "resourceflavors", "clusterqueues", "localqueues", "workloadpriorityclasses")),
    # the Prometheus Operator CRDs of the pinned kube-prometheus-stack (ServiceMonitor, PodMonitor, PrometheusRule;
    # Prometheus for the chart's prometheusSpec entries, such as remoteWrite)
    KUBE_PROMETHEUS_STACK.version: tuple(f"kube-prometheus-stack-{{version}}/crds/crd-{name}.yaml.gz"
                                         for name in ("servicemonitors", "podmonitors", "prometheusrules",
                                                      "prometheuses")),
    # GKE Managed Prometheus: GKE installs these itself; checked against prometheus-engine's CRDs at v0.17.2
    GMP_VERSION: tuple(f"prometheus-engine-{{version}}/crds/monitoring.googleapis.com_{kind}.yaml.gz" for kind in (
        "podmonitorings", "clusterpodmonitorings", "rules", "clusterrules", "globalrules")),
    KEDA.version: ("keda-{version}/crds/keda.sh_scaledobjects.yaml.gz",),
    KEDA_HTTP_ADD_ON.version: ("keda-add-ons-http-{version}/crds/http.keda.sh_httpscaledobjects.yaml.gz",),
}

_CARRIED = ("enum", "required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
            "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
            "multipleOf")


def to_json_schema(node: dict[str, Any], root: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {key: node[key] for key in _CARRIED if key in node}
    if node.get("x-kubernetes-int-or-string"):
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    elif "type" in node:
        out["type"] = [node["type"], "null"] if node.get("nullable") else node["type"]
    if node.get("nullable") and "enum" in out:
        out["enum"] = [*out["enum"], None]
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:  # structural schemas keep these to value validations only
            out.setdefault("allOf", []).append({key: [to_json_schema(s) for s in node[key]]})
    if "not" in node:
        out["not"] = to_json_schema(node["not"])
    if "items" in node:
        out["items"] = to_json_schema(node["items"])
    props = {k: to_json_schema(v) for k, v in (node.get("properties") or {}).items()}
    if root:
        props["metadata"] = {"type": "object"}
    if node.get("x-kubernetes-embedded-resource"):
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
    if props:
        out["properties"] = props
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = to_json_schema(extra)
    elif extra is not None:
        out["additionalProperties"] = extra
    elif props and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


@cache
def crd_schemas(*versions: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> JSON Schema, for every version every vendored CRD of the pins at `versions` serves
    (every pin of `CRD_FILES` when none is named)."""
    out = {}
    for pattern, version in [(p, v) for v in versions or tuple(CRD_FILES) for p in CRD_FILES[v]]:
        for doc in load_yaml_documents(pattern.format(version=version)):
            if doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for served in spec["versions"]:
                if served.get("served"):
                    schema = served["schema"]["openAPIV3Schema"]
                    out[(f"{spec['group']}/{served['name']}", spec["names"]["kind"])] = to_json_schema(schema, root=True)
    return out


def schema_errors(schema: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                  for e in validator.iter_errors(manifest))
