"""Keda: KEDA (pinned chart) and its HTTP add-on on the system nodes, so that model servers scale on vLLM's own
metrics, sit at zero outside their active hours, and are woken by the first request instead of refusing it.

- KEDA (`catalog.pins.KEDA`) reads each `InferenceService`'s ScaledObject: a Prometheus trigger on the server's
  metrics (the platform's metrics stack), a cron trigger for its active hours, and, for a service that may sit
  at zero, the add-on's `external-push` trigger.
- The HTTP add-on (`catalog.pins.KEDA_HTTP_ADD_ON`) runs the interceptor that holds requests while a replica
  starts and the external scaler that reports them. A team's HTTPRoute reaches the interceptor's Service in this
  namespace through a ReferenceGrant per team namespace (Gateway API: a cross-namespace backendRef needs one in
  the target's namespace).

Request timeouts are per HTTPScaledObject (`spec.timeouts`, set by `InferenceService` from its cold-start
budget); the chart-wide defaults stay the add-on's (20 s hold, 500 ms response header).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.pins import KEDA, KEDA_HTTP_ADD_ON
from ...config import defaults as d
from .._base import ArgsChecker, child_opts
from .helm import pinned_release

TYPE = "aiplatform:index:Keda"
#: The interceptor's proxy Service and the external scaler's, as the add-on's chart names them
#: (`<chart>-interceptor-proxy` port 8080, `<chart>-external-scaler` port 9090: tests/data/upstream/keda-add-ons-http-*).
INTERCEPTOR_SERVICE = f"{KEDA_HTTP_ADD_ON.chart}-interceptor-proxy"
INTERCEPTOR_PORT = 8080
EXTERNAL_SCALER_SERVICE = f"{KEDA_HTTP_ADD_ON.chart}-external-scaler"
EXTERNAL_SCALER_PORT = 9090
REFERENCE_GRANT_API = "gateway.networking.k8s.io/v1beta1"


class KedaTeamArgs(TypedDict, total=False):
    team: Required[str]
    """Team name: names its ReferenceGrant (required)."""
    namespace: Required[pulumi.Input[str]]
    """The team's namespace, whose HTTPRoutes may send requests to the interceptor (required)."""


class KedaArgs(TypedDict, total=False):
    teams: Sequence[KedaTeamArgs]
    """Teams whose routes may use the interceptor. Default: none."""
    node_selector: Mapping[str, str]
    """Node labels of the system nodes KEDA and the add-on run on. Default: none."""
    interceptor_replicas: int
    """Fewest interceptor replicas (every request to a service that may sit at zero passes one). Default: 1."""
    namespace: str
    """Namespace created for KEDA and the add-on. Default: `keda`."""
    labels: Mapping[str, str]
    """Labels on every object. Default: none."""


def keda_values(node_selector: Mapping[str, str]) -> dict[str, Any]:
    return {"nodeSelector": dict(node_selector)}


def http_add_on_values(node_selector: Mapping[str, str], interceptor_replicas: int) -> dict[str, Any]:
    selector = dict(node_selector)
    return {
        "operator": {"nodeSelector": selector},
        "scaler": {"nodeSelector": selector},
        "interceptor": {"nodeSelector": selector,
                        "replicas": {"min": interceptor_replicas, "max": max(interceptor_replicas, 10)}},
    }


def reference_grant_spec(team_namespace: str) -> dict[str, Any]:
    """HTTPRoutes of the team's namespace may name the interceptor's Service in KEDA's namespace."""
    return {"from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": team_namespace}],
            "to": [{"group": "", "kind": "Service", "name": INTERCEPTOR_SERVICE}]}


class Keda(pulumi.ComponentResource):
    """KEDA and its HTTP add-on (pinned charts) on the system nodes, with a ReferenceGrant per team namespace."""

    namespace: str
    release: k8s.helm.v3.Release
    http_add_on: k8s.helm.v3.Release
    reference_grants: dict[str, k8s.apiextensions.CustomResource]

    def __init__(self, name: str, args: KedaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        replicas = args.get("interceptor_replicas", 1)
        check.require(isinstance(replicas, int) and 1 <= replicas <= 50, "interceptor_replicas",
                      f"must be 1 to 50 (got {replicas!r})")
        teams = list(args.get("teams") or [])
        names = [t.get("team") for t in teams]
        for i, team in enumerate(teams):
            check.require(bool(team.get("team")) and names.count(team.get("team")) == 1, f"teams[{i}].team",
                          "required and unique")
        check.done()
        labels = {**dict(args.get("labels") or {}), "app.kubernetes.io/managed-by": "aiplatform"}
        self.namespace = args.get("namespace", d.KEDA_NAMESPACE)
        ns = k8s.core.v1.Namespace(f"{name}-keda", metadata={"name": self.namespace, "labels": labels},
                                   opts=child_opts(self))
        selector = dict(args.get("node_selector") or {})
        self.release = pinned_release(f"{name}-keda", KEDA, namespace=ns.metadata.name,
                                      values=keda_values(selector), opts=child_opts(self))
        # The add-on's operator writes ScaledObjects: KEDA's CRDs come first.
        self.http_add_on = pinned_release(f"{name}-keda-http", KEDA_HTTP_ADD_ON, namespace=ns.metadata.name,
                                          values=http_add_on_values(selector, replicas),
                                          opts=child_opts(self, depends_on=[self.release]))
        self.reference_grants = {}
        for team in teams:
            team_ns = pulumi.Output.from_input(team["namespace"])
            self.reference_grants[team["team"]] = k8s.apiextensions.CustomResource(
                f"{name}-keda-grant-{team['team']}", api_version=REFERENCE_GRANT_API, kind="ReferenceGrant",
                metadata={"name": f"routes-from-{team['team']}", "namespace": ns.metadata.name, "labels": labels},
                spec=team_ns.apply(reference_grant_spec), opts=child_opts(self))
        self.register_outputs({"namespace": ns.metadata.name})


__all__ = ["EXTERNAL_SCALER_PORT", "EXTERNAL_SCALER_SERVICE", "INTERCEPTOR_PORT", "INTERCEPTOR_SERVICE", "Keda",
           "KedaArgs", "KedaTeamArgs", "http_add_on_values", "keda_values", "reference_grant_spec"]
