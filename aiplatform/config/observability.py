"""The platform's `observability` section: the metrics stack, its alert routing and the SLO thresholds."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from . import defaults as d
from ._common import Strict

_CONFIG_KEY = re.compile(r"^[A-Za-z][\w-]*:[A-Za-z][\w.-]*$")


class AlertReceiverConfig(Strict):
    """Where Alertmanager sends alerts. The URL is a secret, so it lives in its own `secure:` stack config key
    (`pulumi config set --secret <key> <url>`) and this entry names that key."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$", description="Receiver name (lowercase, at most 40 characters).")
    kind: Literal["webhook", "slack", "pagerduty"] = Field(
        description="webhook (any URL receiving Alertmanager's JSON), slack (an incoming-webhook URL) or pagerduty "
                    "(an Events API v2 integration: the config key holds the routing key).")
    url_config_key: str = Field(
        description="The stack config key holding the URL (PagerDuty: the routing key) as a `secure:` value, "
                    "e.g. `aiplatform:alertWebhookUrl`.")
    severities: list[Literal["critical", "warning", "info"]] = Field(
        default_factory=lambda: ["critical", "warning"], min_length=1,
        description="Severities routed to it; default: critical and warning.")

    CHECKS = (("the config key", "_key"),)

    def _key(self, _: Any) -> list[tuple[str, str]]:
        if not _CONFIG_KEY.match(self.url_config_key):
            return [("url_config_key", f"{self.url_config_key!r} is not a namespaced config key such as "
                                       "aiplatform:alertWebhookUrl")]
        if self.url_config_key == "aiplatform:platform":
            return [("url_config_key", "must be a key of its own, not the platform config")]
        return []


class SloConfig(Strict):
    """Thresholds of the platform's alert rules (every one has a runbook in docs/observability.md)."""

    ttft_p95_seconds: float = Field(d.SLO_TTFT_P95_SECONDS, gt=0, le=600,
                                    description=f"Time to first token a request must beat to count as good, seconds "
                                                f"(default: {d.SLO_TTFT_P95_SECONDS}).")
    objective: float = Field(d.SLO_OBJECTIVE, ge=0.5, lt=1,
                             description=f"Share of requests that must be good over 30 days; the burn-rate alerts "
                                         f"fire when the error budget goes 14.4x (page) or 6x (ticket) too fast "
                                         f"(default: {d.SLO_OBJECTIVE}).")
    queue_depth: int = Field(d.SLO_QUEUE_DEPTH, ge=1, le=100_000,
                             description=f"Requests waiting in one model server that count as a queue (default: "
                                         f"{d.SLO_QUEUE_DEPTH}).")
    queue_minutes: int = Field(d.SLO_QUEUE_MINUTES, ge=1, le=1440,
                               description=f"Minutes the queue must last before the alert fires (default: "
                                           f"{d.SLO_QUEUE_MINUTES}).")
    idle_gpu_percent: float = Field(d.IDLE_GPU_PERCENT, gt=0, le=100,
                                    description=f"Utilisation below which a GPU allocated to a pod counts as idle "
                                                f"(default: {d.IDLE_GPU_PERCENT}).")
    idle_gpu_hours: float = Field(d.IDLE_GPU_HOURS, gt=0, le=168,
                                  description=f"Hours a GPU must stay idle before the waste alert fires (default: "
                                              f"{d.IDLE_GPU_HOURS}).")
    team_429_ratio: float = Field(d.TEAM_429_RATIO, gt=0, le=1,
                                  description=f"Share of a team's gateway requests answered 429 that alerts "
                                              f"(default: {d.TEAM_429_RATIO}).")


class ObservabilityConfig(Strict):
    """Metrics, dashboards and alerts: kube-prometheus-stack in its own namespace (Prometheus on an encrypted
    volume, Alertmanager, Grafana with the platform's dashboards), GPU metrics, a ServiceMonitor per model
    server and the platform's alert rules. Present by default; `enabled: false` turns it off."""

    enabled: bool = Field(True, description="Install the metrics stack (default: true).")
    retention_days: int | None = Field(
        None, ge=1, le=3650, description=f"Days Prometheus keeps samples (default: {d.METRICS_RETENTION_DAYS.prod} "
                                         f"in prod, {d.METRICS_RETENTION_DAYS.other} elsewhere).")
    volume_gib: int | None = Field(
        None, ge=10, le=16384, description=f"Size of Prometheus' encrypted volume, GiB (default: "
                                           f"{d.METRICS_VOLUME_GIB.prod} in prod, {d.METRICS_VOLUME_GIB.other} elsewhere).")
    alert_receivers: list[AlertReceiverConfig] = Field(
        default_factory=list, max_length=20,
        description="Where alerts go; default: none (alerts are visible in Alertmanager and Grafana only).")
    slo: SloConfig = Field(default_factory=SloConfig, description="Alert thresholds.")
    managed: Literal["none", "amp", "gmp"] = Field(
        "none", description="Managed Prometheus: `none` (the in-cluster Prometheus only, the default), `amp` (AWS: "
                            "also remote-write every sample to an Amazon Managed Service for Prometheus workspace, "
                            "encrypted with the platform key, through a workload role that may only write to it) "
                            "or `gmp` (GCP: GKE Managed Prometheus collects through PodMonitoring and evaluates "
                            "Rules instead of the in-cluster Prometheus, which is not installed).")

    CHECKS = (("receiver names", "_receiver_names"),)

    def _receiver_names(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        seen: dict[str, int] = {}
        for i, receiver in enumerate(self.alert_receivers):
            if receiver.name in seen:
                found.append((f"alert_receivers[{i}].name",
                              f"duplicate receiver {receiver.name!r} (also alert_receivers[{seen[receiver.name]}])"))
            seen.setdefault(receiver.name, i)
        return found


__all__ = ["AlertReceiverConfig", "ObservabilityConfig", "SloConfig"]
