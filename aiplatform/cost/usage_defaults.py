"""Documented default volumes for the usage-based charges the plan itself implies.

A usage-based line (GB of logs ingested, GB through a NAT gateway) has no quantity in the plan. When the
plan implies the charge, the line also carries a default volume from this table, priced apart from the
plan: the totals show "plan" and "plan + usage defaults" separately, and a usage file that sets the
field replaces the default (the line is then priced in the plan total, basis "usage").

Every figure here is an assumption, listed in docs/cost.md ("Usage defaults"); none is a measurement.
"""

from __future__ import annotations

from typing import Final

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
