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
