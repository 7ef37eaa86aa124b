"""Serving: a model server that may sit at zero answers its first request before its callers give up.

The cold-start budget is recomputed here from the plan's own facts (`catalog.cold_start`), not read from what the
component wrote: a Deployment that requests accelerators; the ScaledObject that targets it (`minReplicaCount`; the
Deployment's `replicas` without one); its container image (pull size), its `aiplatform.io/accelerator` node
selector (node provisioning) and its `aiplatform.io/model-size-gib` annotation (weight load); then the
`timeouts.request` of every HTTPRoute that reaches it (a backendRef to a Service selecting its pods, or a
URLRewrite to the Host the KEDA HTTP add-on routes on, `<service>.<namespace>.svc`), and the
`aiplatform.io/client-timeout-seconds` annotation its owner declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...catalog.cold_start import budget
from ...labels import ACCELERATOR_LABEL, CLIENT_TIMEOUT_ANNOTATION, MODEL_SIZE_ANNOTATION
from ...shape.links import scaler_of
from ...shape.props import as_list, as_number, get, is_unknown, known
from ...shape.resource import Resource
from ...shape.types import DEPLOYMENT, SCALED_OBJECT, SERVICE
from .._rule import stack_rule
from .kubernetes import container_accelerators, containers, pod_spec

AREA = "serving"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")


def duration_seconds(value: Any) -> float | None:
    """A Gateway API duration (`1h2m3s`, `500ms`) in seconds; None if it is not one."""
    match = _DURATION.match(value) if isinstance(value, str) and value else None
    if not match:
        return None
    h, m, s, ms = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s + ms / 1000


def _ns(resource: Resource) -> Any:
    return resource.get("metadata.namespace")


def _selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    return isinstance(selector, dict) and bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _min_replicas(deployment: Resource, scaled: list[Resource]) -> Any:
    scaler = scaler_of(deployment, scaled)
    if scaler is not None:
        value = scaler.get("spec.minReplicaCount", None)
        return 0 if value is None else value  # KEDA's default is 0
    replicas = deployment.get("spec.replicas", None)
    return 1 if replicas is None else replicas


def _route_timeouts(deployment: Resource, services: list[Resource], routes: list[Resource]) -> list[tuple[str, Any]]:
    """(route name, timeouts.request) of each rule of each HTTPRoute that reaches the Deployment."""
    namespace = _ns(deployment)
    labels = deployment.get("spec.template.metadata.labels")
    labels = labels if isinstance(labels, dict) else {}
    names = {s.get("metadata.name") for s in services if _ns(s) == namespace and _selects(s.get("spec.selector"), labels)}
    hosts = {f"{n}.{namespace}.svc" for n in names}
    out = []
    for route in routes:
        for rule in as_list(route.get("spec.rules")):
            if not isinstance(rule, dict):
                continue
            direct = _ns(route) == namespace and any(
                isinstance(b, dict) and b.get("name") in names and b.get("namespace", namespace) == namespace
                for b in as_list(rule.get("backendRefs")))
            rewritten = any(isinstance(f, dict) and get(f, "urlRewrite.hostname", None) in hosts
                            for f in as_list(rule.get("filters")))
            if direct or rewritten:
                out.append((str(route.get("metadata.name")), get(rule, "timeouts.request", None)))
    return out


@stack_rule(
    "aip-serving-cold-start-budget",
    area="serving",
    severity=Severity.HIGH,
    reads={DEPLOYMENT, SCALED_OBJECT, HTTP_ROUTE, SERVICE},
    description="A model server that may scale to zero starts within its route's request timeout and its callers' "
                "declared timeout: node provisioning + image pull + weight load + server start.",
    why="At zero, the first request waits for a GPU node, the image, the weights and the server. If that takes "
        "longer than the gateway's timeout or the client's, every first request fails (a 504 or a client error) "
        "and the caller's retry finds the replica still loading.",
    remediation="Keep one replica (`min_replicas: 1`, or `active_hours` for the hours that matter), raise the "
                "route's `timeouts.request` and the callers' timeout above the budget, or shorten the cold start "
                "(a smaller or quantised model, `model_size_gib` stated, a pre-pulled image). docs/serving.md "
                "lists each part and its source.",
    config={
        "countNodeProvisioning": {"type": "boolean", "default": True,
                                  "description": "Count a GPU node's provisioning (the pool may be at zero too)."},
    },
    tags=("gpu",),
)
def cold_start_budget(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    by_type: dict[str, list[Resource]] = {}
    for r in resources:
        by_type.setdefault(r.type, []).append(r)
    for deployment in by_type.get(DEPLOYMENT, []):
        spec = pod_spec(deployment) or {}
        servers = [c for _, c in containers(spec) if container_accelerators(c)]
        if not servers:
            continue
        low = _min_replicas(deployment, by_type.get(SCALED_OBJECT, []))
        if is_unknown(low) or low != 0:
            continue
        image = servers[0].get("image") if isinstance(servers[0], dict) else None
        selector = spec.get("nodeSelector")
        accelerator = selector.get(ACCELERATOR_LABEL) if isinstance(selector, dict) else None
        annotations = deployment.get("metadata.annotations")
        annotations = annotations if isinstance(annotations, dict) else {}
        facts = (image, accelerator, annotations.get(MODEL_SIZE_ANNOTATION), annotations.get(CLIENT_TIMEOUT_ANNOTATION))
        if any(v is not None and not known(v) for v in facts):
            continue
        cold = budget(accelerator=accelerator, image=image, model_gib=as_number(annotations.get(MODEL_SIZE_ANNOTATION)),
                      pool_may_be_at_zero=bool(config["countNodeProvisioning"]))
        limits: list[tuple[str, float]] = []
        client = as_number(annotations.get(CLIENT_TIMEOUT_ANNOTATION))
        if client is not None:
            limits.append((f"the declared client timeout ({CLIENT_TIMEOUT_ANNOTATION})", client))
        for route, timeout in _route_timeouts(deployment, by_type.get(SERVICE, []), by_type.get(HTTP_ROUTE, [])):
            seconds = duration_seconds(timeout)
            if seconds is not None:
                limits.append((f"the request timeout of HTTPRoute {route}", seconds))
        over = [f"{what} {seconds:g}s" for what, seconds in limits if cold.seconds > seconds]
        if over:
            yield deployment.urn, (f"Deployment {deployment.get('metadata.name')} (namespace {_ns(deployment)}) may "
                                   f"sit at zero and its cold start exceeds {' and '.join(over)}: {cold.describe()}")
