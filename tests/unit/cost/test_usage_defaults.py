"""Usage defaults (issue 18): what the plan implies but cannot size is priced at a documented default
volume, shown as "plan + usage defaults" apart from the plan total, and replaced by the usage file."""

from __future__ import annotations

import json

import pytest
from guardrail_helpers import TAGS, plan_of, resource

from aiplatform.cost import parse_usage
from aiplatform.cost.model import Estimate
from aiplatform.cost.plan import estimate_plan
from aiplatform.cost.render import estimate_markdown, estimate_text
from aiplatform.cost.usage_defaults import CONTROL_PLANE_LOG_GB, NAT_DATA_GB

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def platform(usage=None):
    plan = plan_of(
        resource("aws:eks/cluster:Cluster", "c", {"name": "ml-dev", "version": "1.34", "tags": TAGS,
                                                   "enabledClusterLogTypes": LOG_TYPES,
                                                   "upgradePolicy": {"supportType": "STANDARD"}}),
        resource("aws:cloudwatch/logGroup:LogGroup", "ml-dev-control-plane",
                 {"name": "/aws/eks/ml-dev/cluster", "tags": TAGS}),
        resource("aws:cloudwatch/logGroup:LogGroup", "app", {"name": "/app/other", "tags": TAGS}),
        resource("aws:ec2/natGateway:NatGateway", "nat", {"tags": TAGS}),
    )
    return estimate_plan(plan, usage)


def by_sku(est, sku, name=None):
    (line,) = [i for i in est.items if i.sku == sku and (name is None or i.name == name)]
    return line


def test_issue18_control_plane_logs_and_nat_data_carry_documented_defaults():
    est = platform()
    logs = by_sku(est, "aws-cloudwatch-logs-ingest", "ml-dev-control-plane")
    gb = sum(CONTROL_PLANE_LOG_GB[t] for t in LOG_TYPES)
    assert logs.status == "usage-based" and logs.default_quantity.expected == gb
    assert logs.default_monthly.expected == pytest.approx(gb * 0.50)
    assert "control-plane log types api, audit" in logs.default_note
    nat = by_sku(est, "aws-nat-gateway-data")
    assert nat.default_monthly.peak == pytest.approx(NAT_DATA_GB * 0.045)
    # a log group the plan does not explain has no default
    assert by_sku(est, "aws-cloudwatch-logs-ingest", "app").default_monthly is None
    # the plan total leaves them out; the second total adds them
    assert est.totals_with_usage_defaults.expected == pytest.approx(est.totals.expected + gb * 0.5 + NAT_DATA_GB * 0.045)


def test_issue18_both_totals_are_shown_and_survive_json():
    est = platform()
    text, markdown = estimate_text(est), estimate_markdown(est)
    assert "total (plan)" in text and "total (plan + usage defaults)" in text
    assert "**total (plan)**" in markdown and "plan + usage defaults" in markdown
    data = est.to_dict()
    assert data["totalsWithUsageDefaults"]["expected"] == pytest.approx(est.totals_with_usage_defaults.expected, abs=1e-3)
    again = Estimate.from_dict(json.loads(json.dumps(data)))
    assert again.totals_with_usage_defaults.expected == pytest.approx(est.totals_with_usage_defaults.expected, abs=1e-3)


def test_issue18_the_usage_file_replaces_a_default():
    usage = parse_usage({"resources": {"nat": {"monthly_data_processed_gb": 1000}}})
    nat = by_sku(platform(usage), "aws-nat-gateway-data")
    assert nat.status == "priced" and nat.basis == "usage" and nat.default_monthly is None
    assert nat.monthly.expected == pytest.approx(1000 * 0.045)


ENVOY = "kubernetes:gateway.envoyproxy.io/v1alpha1:"
GCP = "us-central1"


def gateway(requests_per_minute=300.0, replicas=2.0):
    return [resource(ENVOY + "BackendTrafficPolicy", "ml-dev-limits", {"spec": {
                "targetRefs": [{"kind": "Gateway", "name": "ml-dev"}],
                "rateLimit": {"type": "Local", "local": {"rules": [
                    {"limit": {"requests": requests_per_minute, "unit": "Minute"}}]}}}}),
            # a route's own limit is not the gateway's: not counted
            resource(ENVOY + "BackendTrafficPolicy", "chat-limits", {"spec": {
                "targetRefs": [{"kind": "HTTPRoute", "name": "chat"}],
                "rateLimit": {"type": "Local", "local": {"rules": [{"limit": {"requests": 9000.0, "unit": "Minute"}}]}}}}),
            resource(ENVOY + "EnvoyProxy", "ml-dev-proxy", {"spec": {"provider": {"kubernetes": {
                "envoyDeployment": {"replicas": replicas}}}}})]


def gke(zones=("us-central1-a", "us-central1-b"), logging=None, nodes=2.0):
    cluster = {"location": "us-central1", "resourceLabels": TAGS}
    if logging is not None:
        cluster["loggingConfig"] = {"enableComponents": logging}
    return [resource("gcp:container/cluster:Cluster", "gke", cluster),
            resource("gcp:container/nodePool:NodePool", "pool", {
                "nodeLocations": list(zones), "initialNodeCount": nodes / len(zones),
                "autoscaling": {"totalMinNodeCount": nodes, "totalMaxNodeCount": nodes},
                "nodeConfig": {"machineType": "g2-standard-8", "labels": TAGS, "resourceLabels": TAGS}}),
            resource("gcp:compute/subnetwork:Subnetwork", "nodes", {"region": "us-central1", "logConfig": {
                "aggregationInterval": "INTERVAL_5_MIN", "flowSampling": 0.5}})]


def test_issue18_gateway_access_logs_default_from_its_rate_limit():
    est = estimate_plan(plan_of(*gke(), *gateway(300.0, 2.0), region=GCP))
    logs = by_sku(est, "gcp-cloud-logging-ingest", "gke")
    gb = 300 * 2 * 0.1 * 730 * 60 * 1000 / 1e9  # 10% of the limit x replicas, 1 KB a request
    assert logs.status == "usage-based" and logs.default_quantity.expected == pytest.approx(gb)
    assert logs.default_monthly.expected == pytest.approx(gb * 0.5)
    assert "gateway access logs: 10% of its limit of 300 requests a minute x 2 Envoy replicas" in logs.default_note
    # workload logs not sent to Cloud Logging: no default; no gateway: no default either
    off = estimate_plan(plan_of(*gke(logging=["SYSTEM_COMPONENTS"]), *gateway(), region=GCP))
    assert by_sku(off, "gcp-cloud-logging-ingest", "gke").default_monthly is None
    assert by_sku(estimate_plan(plan_of(*gke(), region=GCP)), "gcp-cloud-logging-ingest", "gke").default_monthly is None
    # the usage file replaces it
    given = estimate_plan(plan_of(*gke(), *gateway(), region=GCP), parse_usage({"resources": {"gke": {"monthly_data_ingested_gb": 40}}}))
    line = by_sku(given, "gcp-cloud-logging-ingest", "gke")
    assert line.status == "priced" and line.basis == "usage" and line.monthly.expected == pytest.approx(20.0)


def test_issue18_flow_logs_and_inter_zone_traffic_scale_with_the_nodes():
    est = estimate_plan(plan_of(*gke(nodes=4.0), region=GCP))
    flow = by_sku(est, "gcp-cloud-logging-ingest", "nodes")
    assert flow.default_quantity.expected == pytest.approx(1.0 * 0.5 * 4)  # 1 GB a node at full sampling x 0.5
    cross = by_sku(est, "gcp-inter-zone-traffic")
    assert cross.default_quantity.expected == pytest.approx(10.0 * 4) and cross.default_monthly.expected == \
        pytest.approx(40 * 0.01)
    # one zone: nothing crosses zones
    assert by_sku(estimate_plan(plan_of(*gke(zones=("us-central1-a",)), region=GCP)), "gcp-inter-zone-traffic").default_monthly is None
    # AWS: both directions billed; the usage file replaces the default
    aws = estimate_plan(plan_of(resource("aws:eks/cluster:Cluster", "c", {"version": "1.34", "tags": TAGS}),
                                resource("aws:eks/nodeGroup:NodeGroup", "ng", {
                                    "instanceTypes": ["m7i.large"], "tags": TAGS,
                                    "scalingConfig": {"minSize": 3.0, "maxSize": 3.0, "desiredSize": 3.0}})))
    line = by_sku(aws, "aws-data-transfer-inter-az")
    assert line.default_quantity.expected == pytest.approx(30.0) and line.default_monthly.expected == pytest.approx(0.6)
    assert aws.totals_with_usage_defaults.expected - aws.totals.expected == pytest.approx(0.6)
    given = parse_usage({"resources": {"c": {"monthly_inter_zone_gb": 500}}})
    line = by_sku(estimate_plan(plan_of(resource("aws:eks/cluster:Cluster", "c", {"version": "1.34", "tags": TAGS})),
                                given), "aws-data-transfer-inter-az")
    assert line.status == "priced" and line.monthly.expected == pytest.approx(10.0)
