"""Documented default volumes for the usage-based charges the plan itself implies.

A usage-based line (GB of logs ingested, GB through a NAT gateway) has no quantity in the plan. When the
plan implies the charge, the line also carries a default volume from this table, priced apart from the
plan: the totals show "plan" and "plan + usage defaults" separately, and a usage file that sets the
field replaces the default (the line is then priced in the plan total, basis "usage").

Every figure here is an assumption, listed in docs/cost.md ("Usage defaults"); none is a measurement.
"""

from __future__ import annotations

from typing import Final

from ..catalog.prices import HOURS_PER_MONTH

#: EKS control-plane logs ingested into CloudWatch per month, GB per enabled log type. The audit log
#: dominates (every API request); the others are small on a quiet cluster.
CONTROL_PLANE_LOG_GB: Final[dict[str, float]] = {
    "api": 2.0, "audit": 10.0, "authenticator": 1.0, "controllerManager": 1.0, "scheduler": 0.5,
}
#: Any log type not listed above.
OTHER_LOG_TYPE_GB: Final = 1.0
#: Data through one NAT gateway (AWS) or one Cloud NAT gateway (GCP) per month, GB: package and
#: model downloads from the internet by nodes without public IPs (S3/GCS traffic is not counted:
#: AWS routes it through the gateway endpoint).
NAT_DATA_GB: Final = 100.0


def control_plane_logs_gb(log_types: list[str]) -> float:
    """Monthly GB a cluster's enabled control-plane log types ingest, by the table above."""
    return sum(CONTROL_PLANE_LOG_GB.get(t, OTHER_LOG_TYPE_GB) for t in log_types)


#: The gateway's Envoy access log: one JSON line per request (9 fields, aiplatform/components/kubernetes/
#: llm_gateway.py ACCESS_LOG_FIELDS) on stdout, about 1 KB with the log entry's metadata where it is ingested.
ACCESS_LOG_BYTES_PER_REQUEST: Final = 1000.0
#: Average traffic as a share of the gateway's rate limit (`requests_per_minute` per Envoy replica).
ACCESS_LOG_LIMIT_SHARE: Final = 0.1
#: VPC flow logs per node a month, GB, at 100% sampling and 5-minute aggregation (scaled by the subnetwork's
#: flowSampling): a node's flows to other nodes, the API server and the internet.
FLOW_LOG_GB_PER_NODE: Final = 1.0
#: Traffic crossing zones per node a month, GB, for a cluster whose nodes span zones: pod-to-pod and
#: Service traffic that kube-proxy and the gateway spread over every zone, replication of zonal volumes.
INTER_ZONE_GB_PER_NODE: Final = 10.0
#: Minutes in a month of the estimate's hours.
MINUTES_PER_MONTH: Final = HOURS_PER_MONTH * 60


def access_log_gb(requests_per_minute: float, replicas: float) -> float:
    """Monthly GB of gateway access logs at the assumed share of the rate limit."""
    requests = requests_per_minute * replicas * ACCESS_LOG_LIMIT_SHARE * MINUTES_PER_MONTH
    return requests * ACCESS_LOG_BYTES_PER_REQUEST / 1e9


# ---- Amazon Managed Service for Prometheus: the samples the platform's Prometheus remote-writes
#: Active series of kube-prometheus-stack's own targets on a small cluster (kubelet and cAdvisor, node-exporter,
#: kube-state-metrics, the API server, CoreDNS, the operator, Alertmanager, Grafana).
AMP_SERIES_PER_CHART: Final[dict[str, float]] = {
    "kube-prometheus-stack": 10_000.0,
    "dcgm-exporter": 500.0,  # ~20 DCGM fields per GPU on a few GPU nodes
    "opencost": 300.0,
}
#: Active series per scrape object the plan writes: a model server's ServiceMonitor (vLLM's histograms with
#: their buckets, per replica), the gateway's Envoy PodMonitor (cluster stats per route and response code).
AMP_SERIES_PER_MONITOR: Final[dict[str, float]] = {"ServiceMonitor": 1_000.0, "PodMonitor": 3_000.0}
#: The scrape interval of the platform's monitors and of kube-prometheus-stack's default.
SCRAPE_INTERVAL_SECONDS: Final = 30.0
#: Stored bytes per sample (AMP: "typically 1 or 2 bytes", plus metadata) and AMP's default retention.
AMP_BYTES_PER_SAMPLE: Final = 2.0
AMP_RETENTION_DAYS: Final = 150.0
SECONDS_PER_MONTH: Final = HOURS_PER_MONTH * 3600.0


def amp_monthly_samples_millions(series: float) -> float:
    """Millions of samples a month `series` active series make at the scrape interval."""
    return series * SECONDS_PER_MONTH / SCRAPE_INTERVAL_SECONDS / 1e6


def amp_storage_gb(monthly_samples_millions: float) -> float:
    """GB stored at steady state: a month's samples times the retention in months."""
    return monthly_samples_millions * 1e6 * AMP_BYTES_PER_SAMPLE * AMP_RETENTION_DAYS / (HOURS_PER_MONTH / 24.0) / 2**30
