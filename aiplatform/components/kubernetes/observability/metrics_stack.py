"""MetricsStack: kube-prometheus-stack (pinned chart) in its own namespace, with the platform's dashboards,
alert rules, alert routing and the scrape of the gateway's Envoy proxies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ....catalog.pins import KUBE_PROMETHEUS_STACK
from ....config import defaults as d
from ..._base import ArgsChecker, child_opts, stateful_opts
from ..helm import pinned_release
from .dashboards import dashboards
from .monitors import envoy_monitor, prometheus_rule
from .opencost import opencost_release
from .rules import platform_rule_groups

TYPE = "aiplatform:index:MetricsStack"
RELEASE_NAME = "metrics"
#: Prometheus' service account, named explicitly: the workload role of remote write is bound to it.
PROMETHEUS_SERVICE_ACCOUNT = f"{RELEASE_NAME}-prometheus"
#: The Prometheus Service of the release (`fullnameOverride: metrics` -> `<fullname>-prometheus`, port 9090).
PROMETHEUS_SERVICE = f"{RELEASE_NAME}-prometheus"
DASHBOARD_LABEL = "grafana_dashboard"
#: Node and namespace labels kube-state-metrics exports (kube_node_labels, kube_namespace_labels): the pool and
#: accelerator of a node, the team of a namespace.
LABELS_ALLOWLIST = ["nodes=[aiplatform.io/pool,aiplatform.io/accelerator,aiplatform.io/accelerator-vendor]",
                    "namespaces=[aiplatform.io/team]"]


class AlertReceiverArgs(TypedDict, total=False):
    name: str
    """Receiver name (required)."""
    kind: str
    """`webhook`, `slack` or `pagerduty` (required)."""
    url: pulumi.Input[str]
    """The URL (PagerDuty: the routing key), a secret (required)."""
    severities: Sequence[str]
    """Severities routed to it. Default: critical and warning."""


class RemoteWriteArgs(TypedDict, total=False):
    url: pulumi.Input[str]
    """The remote-write endpoint (required)."""
    sigv4_region: str
    """Sign requests with AWS SigV4 for this region (Amazon Managed Service for Prometheus). Default: unsigned."""
    service_account_annotations: Mapping[str, pulumi.Input[str]]
    """Annotations on Prometheus' service account (the IRSA role). Default: none."""


class MetricsStackArgs(TypedDict, total=False):
    namespace: str
    """Namespace of the stack. Default: `monitoring`."""
    storage_class_name: pulumi.Input[str]
    """The encrypted StorageClass of Prometheus' volume (required)."""
    retention_days: int
    """Days Prometheus keeps samples. Default: 7."""
    volume_gib: int
    """Size of Prometheus' volume, GiB. Default: 50."""
    alert_receivers: Sequence[AlertReceiverArgs]
    """Where Alertmanager sends alerts. Default: nowhere."""
    pool_max_nodes: Mapping[str, int]
    """Each GPU pool's maximum size (the pool-at-maximum alert). Default: none."""
    gpu_hour_prices: Mapping[str, float]
    """List price of one GPU-hour per accelerator model (the cost dashboard). Default: none."""
    idle_gpu_percent: float
    """Utilisation below which an allocated GPU is idle. Default: 5."""
    idle_gpu_hours: float
    """Hours idle before the waste alert. Default: 2."""
    team_429_ratio: float
    """Share of a team's requests answered 429 that alerts. Default: 0.05."""
    gateway_namespace: str
    """Namespace of the gateway's Envoy proxies, to scrape them. Default: no gateway."""
    remote_write: RemoteWriteArgs
    """Also send every sample to a managed Prometheus (Amazon Managed Service for Prometheus). Default: local only."""
    platform_name: str
    """External label `platform` of every series. Default: none."""
    opencost_prices: Mapping[str, str]
    """Install OpenCost with this custom pricing (`CPU`, `RAM`, `GPU` per hour, `storage` per GiB-hour, ...).
    Default: no OpenCost."""
    labels: Mapping[str, str]
    """Labels on the namespace and objects. Default: none."""
    protect: bool
    """Protect the namespace (Prometheus' volume lives in it). Default: False."""


def alertmanager_config(receivers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Alertmanager's config: each receiver gets the severities it asked for; everything else goes nowhere."""
    out: list[dict[str, Any]] = [{"name": "null"}]
    routes: list[dict[str, Any]] = [{"receiver": "null", "matchers": ['alertname = "Watchdog"']}]
    for r in receivers:
        kind = r["kind"]
        if kind == "slack":
            body: dict[str, Any] = {"slack_configs": [{"api_url": r["url"], "send_resolved": True}]}
        elif kind == "pagerduty":
            body = {"pagerduty_configs": [{"routing_key": r["url"], "send_resolved": True}]}
        else:
            body = {"webhook_configs": [{"url": r["url"], "send_resolved": True}]}
        out.append({"name": r["name"], **body})
        severities = "|".join(r.get("severities") or ["critical", "warning"])
        routes.append({"receiver": r["name"], "matchers": [f'severity =~ "{severities}"'], "continue": True})
    return {"route": {"receiver": "null", "group_by": ["namespace", "alertname"], "routes": routes},
            "receivers": out}


def remote_write_spec(remote: Mapping[str, Any]) -> dict[str, Any]:
    """One `prometheusSpec.remoteWrite` entry (the Prometheus CRD's RemoteWriteSpec): SigV4 with the pod's AWS
    credentials (IRSA or Pod Identity) when a region is given."""
    spec: dict[str, Any] = {"url": remote["url"]}
    if remote.get("sigv4_region"):
        spec["sigv4"] = {"region": remote["sigv4_region"]}
    return spec


class MetricsStack(pulumi.ComponentResource):
    """Prometheus Operator, Prometheus (ClusterIP, a persistent volume of the encrypted StorageClass, retention
    as given, every ServiceMonitor/PodMonitor/PrometheusRule of the cluster selected), Alertmanager and Grafana
    (ClusterIP: port-forward; dashboards from ConfigMaps through its sidecar), kube-state-metrics with the
    platform's node and namespace labels, the platform's alert rules, the Envoy scrape and OpenCost."""

    release: k8s.helm.v3.Release
    namespace: str

    def __init__(self, name: str, args: MetricsStackArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        retention = args.get("retention_days", d.METRICS_RETENTION_DAYS.other)
        volume = args.get("volume_gib", d.METRICS_VOLUME_GIB.other)
        receivers = list(args.get("alert_receivers") or [])
        check = ArgsChecker(TYPE, name)
        check.require(args.get("storage_class_name") is not None, "storage_class_name", "required")
        check.require(1 <= retention <= 3650, "retention_days", f"must be 1 to 3650 (got {retention})")
        check.require(10 <= volume <= 16384, "volume_gib", f"must be 10 to 16384 (got {volume})")
        for i, r in enumerate(receivers):
            check.require(r.get("kind") in ("webhook", "slack", "pagerduty"), f"alert_receivers[{i}].kind",
                          "webhook, slack or pagerduty")
            check.require(bool(r.get("name")) and r.get("url") is not None, f"alert_receivers[{i}]",
                          "name and url are required")
        check.done()

        self.namespace = args.get("namespace", d.OBSERVABILITY_NAMESPACE)
        labels = {**dict(args.get("labels") or {}), "app.kubernetes.io/part-of": "aiplatform"}
        protect = bool(args.get("protect", False))
        ns = k8s.core.v1.Namespace(f"{name}-monitoring", metadata={"name": self.namespace, "labels": labels},
                                   opts=stateful_opts(self, protect))
        prometheus_spec: dict[str, Any] = {
            "retention": f"{retention}d",
            "storageSpec": {"volumeClaimTemplate": {"spec": {
                "storageClassName": args["storage_class_name"],
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{volume}Gi"}},
            }}},
            # Every ServiceMonitor, PodMonitor and PrometheusRule of the cluster, not only the release's.
            "serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
            "ruleSelectorNilUsesHelmValues": False,
        }
        if args.get("platform_name"):
            prometheus_spec["externalLabels"] = {"platform": args["platform_name"]}
        prometheus: dict[str, Any] = {"service": {"type": "ClusterIP"}, "prometheusSpec": prometheus_spec}
        remote = args.get("remote_write")
        if remote:
            prometheus_spec["remoteWrite"] = [remote_write_spec(remote)]
            prometheus["serviceAccount"] = {"create": True, "name": PROMETHEUS_SERVICE_ACCOUNT,
                                            "annotations": dict(remote.get("service_account_annotations") or {})}
        alertmanager: dict[str, Any] = {"alertmanagerSpec": {"retention": "120h"}}
        if receivers:
            resolved = pulumi.Output.all(*[r["url"] for r in receivers]).apply(
                lambda urls: alertmanager_config([{**r, "url": u} for r, u in zip(receivers, urls, strict=True)]))
            alertmanager["config"] = pulumi.Output.secret(resolved)
        self.release = pinned_release(f"{name}-metrics", KUBE_PROMETHEUS_STACK, namespace=ns.metadata.name,
                                      release_name=RELEASE_NAME, values={
            "fullnameOverride": RELEASE_NAME,
            "prometheus": prometheus,
            "alertmanager": alertmanager,
            "grafana": {
                "defaultDashboardsTimezone": "utc",
                "sidecar": {"dashboards": {"enabled": True, "label": DASHBOARD_LABEL, "labelValue": "1",
                                           "searchNamespace": self.namespace}},
            },
            "kube-state-metrics": {"metricLabelsAllowlist": LABELS_ALLOWLIST},
        }, opts=child_opts(self))
        after = child_opts(self, depends_on=[self.release])
        meta = {"namespace": self.namespace, "labels": labels}
        for file_name, board in dashboards(dict(args.get("gpu_hour_prices") or {})).items():
            stem = file_name.removesuffix(".json")
            k8s.core.v1.ConfigMap(f"{name}-{stem}", metadata={
                "name": stem, "namespace": self.namespace, "labels": {**labels, DASHBOARD_LABEL: "1"},
            }, data={file_name: json.dumps(board, sort_keys=True)}, opts=child_opts(self, depends_on=[ns]))
        self.rules = prometheus_rule(f"{name}-platform-rules", {"name": "aiplatform-platform", **meta},
                                     platform_rule_groups(
                                         dict(args.get("pool_max_nodes") or {}),
                                         idle_gpu_percent=args.get("idle_gpu_percent", d.IDLE_GPU_PERCENT),
                                         idle_gpu_hours=args.get("idle_gpu_hours", d.IDLE_GPU_HOURS),
                                         team_429_ratio=args.get("team_429_ratio", d.TEAM_429_RATIO)), after)
        self.opencost = None
        if args.get("opencost_prices"):
            self.opencost = opencost_release(f"{name}-opencost", ns.metadata.name, PROMETHEUS_SERVICE, self.namespace,
                                             args["opencost_prices"], after)
        self.envoy_monitor = None
        if args.get("gateway_namespace"):
            self.envoy_monitor = envoy_monitor(f"{name}-envoy", args["gateway_namespace"], labels, after)
        self.register_outputs({"namespace": self.namespace})


__all__ = ["PROMETHEUS_SERVICE_ACCOUNT", "AlertReceiverArgs", "MetricsStack", "MetricsStackArgs", "RemoteWriteArgs",
           "alertmanager_config", "remote_write_spec"]
