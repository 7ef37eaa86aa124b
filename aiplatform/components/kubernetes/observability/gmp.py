"""GmpMonitoring: the platform's metrics on GKE Managed Prometheus (`observability.managed: gmp`) instead of an
in-cluster Prometheus. GKE's managed collectors scrape what PodMonitoring objects (monitoring.googleapis.com/v1,
CRDs of prometheus-engine) select, its rule evaluator runs Rules and ClusterRules, and its managed Alertmanager
reads the `alertmanager` Secret of `gmp-public`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s
import yaml

from ....catalog.pins import KUBE_STATE_METRICS
from ....config import defaults as d
from ..._base import child_opts, stateful_opts
from ..helm import pinned_release
from .metrics_stack import LABELS_ALLOWLIST, AlertReceiverArgs, alertmanager_config
from .monitors import ENVOY_PROXY_SELECTOR, gmp_pod_monitoring, gmp_rules
from .rules import platform_rule_groups

TYPE = "aiplatform:index:GmpMonitoring"
#: GKE Managed Prometheus reads its Alertmanager configuration from this Secret (key `alertmanager.yaml`).
ALERTMANAGER_NAMESPACE = d.GMP_PUBLIC_NAMESPACE
ALERTMANAGER_SECRET = "alertmanager"
#: kube-state-metrics' pods (the chart's `app.kubernetes.io/name`) and their metrics port (templates/deployment.yaml).
KSM_SELECTOR = {"app.kubernetes.io/name": "kube-state-metrics"}


class GmpMonitoringArgs(TypedDict, total=False):
    namespace: str
    """Namespace of kube-state-metrics and the platform's objects. Default: `monitoring`."""
    alert_receivers: Sequence[AlertReceiverArgs]
    """Where the managed Alertmanager sends alerts. Default: nowhere."""
    pool_max_nodes: Mapping[str, int]
    """Each GPU pool's maximum size (the pool-at-maximum alert). Default: none."""
    idle_gpu_percent: float
    """Utilisation below which an allocated GPU is idle. Default: 5."""
    idle_gpu_hours: float
    """Hours idle before the waste alert. Default: 2."""
    team_429_ratio: float
    """Share of a team's requests answered 429 that alerts. Default: 0.05."""
    gateway_namespace: str
    """Namespace of the gateway's Envoy proxies, to scrape them. Default: no gateway."""
    labels: Mapping[str, str]
    """Labels on the namespace and objects. Default: none."""
    protect: bool
    """Protect the namespace. Default: False."""


class GmpMonitoring(pulumi.ComponentResource):
    """kube-state-metrics (pinned chart, with the platform's node and namespace labels) scraped by a
    PodMonitoring, the platform's alert rules as ClusterRules, the Envoy proxies' PodMonitoring and the managed
    Alertmanager's routing. GPU metrics come from GKE's managed DCGM, which GKE itself sends to Managed
    Prometheus."""

    namespace: str

    def __init__(self, name: str, args: GmpMonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.namespace = args.get("namespace", d.OBSERVABILITY_NAMESPACE)
        labels = {**dict(args.get("labels") or {}), "app.kubernetes.io/part-of": "aiplatform"}
        ns = k8s.core.v1.Namespace(f"{name}-monitoring", metadata={"name": self.namespace, "labels": labels},
                                   opts=stateful_opts(self, bool(args.get("protect", False))))
        self.kube_state_metrics = pinned_release(
            f"{name}-kube-state-metrics", KUBE_STATE_METRICS, namespace=ns.metadata.name,
            values={"metricLabelsAllowlist": LABELS_ALLOWLIST}, opts=child_opts(self))
        after = child_opts(self, depends_on=[ns])
        meta = {"namespace": self.namespace, "labels": labels}
        self.kube_state_monitoring = gmp_pod_monitoring(
            f"{name}-kube-state-metrics", {"name": "kube-state-metrics", **meta}, KSM_SELECTOR, "http", after)
        self.rules = gmp_rules(f"{name}-platform-rules", "ClusterRules", {"name": "aiplatform-platform",
                                                                         "labels": labels},
                               platform_rule_groups(
                                   dict(args.get("pool_max_nodes") or {}),
                                   idle_gpu_percent=args.get("idle_gpu_percent", d.IDLE_GPU_PERCENT),
                                   idle_gpu_hours=args.get("idle_gpu_hours", d.IDLE_GPU_HOURS),
                                   team_429_ratio=args.get("team_429_ratio", d.TEAM_429_RATIO)), child_opts(self))
        self.envoy_monitoring = None
        if args.get("gateway_namespace"):
            self.envoy_monitoring = gmp_pod_monitoring(
                f"{name}-envoy", {"name": "envoy-proxies", "namespace": args["gateway_namespace"], "labels": labels},
                ENVOY_PROXY_SELECTOR, "metrics", child_opts(self), path="/stats/prometheus")
        receivers = list(args.get("alert_receivers") or [])
        self.alertmanager = None
        if receivers:
            config = pulumi.Output.all(*[r["url"] for r in receivers]).apply(
                lambda urls: yaml.safe_dump(alertmanager_config(
                    [{**r, "url": u} for r, u in zip(receivers, urls, strict=True)]), sort_keys=True))
            self.alertmanager = k8s.core.v1.Secret(
                f"{name}-alertmanager",
                metadata={"name": ALERTMANAGER_SECRET, "namespace": ALERTMANAGER_NAMESPACE, "labels": labels},
                string_data={"alertmanager.yaml": pulumi.Output.secret(config)}, opts=child_opts(self))
        self.register_outputs({"namespace": self.namespace})


__all__ = ["ALERTMANAGER_NAMESPACE", "ALERTMANAGER_SECRET", "GmpMonitoring", "GmpMonitoringArgs"]
