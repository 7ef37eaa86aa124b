"""Cost: the priced catalog, the estimator's arithmetic, usage files, diffs, baselines and the budget rule."""

from __future__ import annotations

import json

import pytest
from guardrail_helpers import PROVIDER_URN, TAGS, check, plan_of, resource

from aiplatform.catalog import CatalogError
from aiplatform.catalog.prices import NOT_OFFERED, aws_prices, load_prices
from aiplatform.cost import UsageError, diff, parse_usage
from aiplatform.cost.plan import BaselineError, estimate_plan, load_baseline
from aiplatform.cost.render import diff_markdown, diff_text, estimate_markdown, estimate_text

HOURS = 730

NG = "aws:eks/nodeGroup:NodeGroup"

LT = "aws:ec2/launchTemplate:LaunchTemplate"


def pool(name: str, types: list[str], lo: float, hi: float, desired: float | None = None, capacity: str = "ON_DEMAND",
         tags: dict | None = None, **extra):
    scaling = {"minSize": lo, "maxSize": hi, **({"desiredSize": desired} if desired is not None else {})}
    return resource(NG, name, {"instanceTypes": types, "capacityType": capacity, "scalingConfig": scaling,
                               "tags": tags or TAGS, **extra})


def line(estimate, name: str, sku_prefix: str = "aws-ec2"):
    found = [i for i in estimate.items if i.name == name and i.sku.startswith(sku_prefix)]
    assert len(found) == 1, [(i.name, i.sku) for i in estimate.items]
    return found[0]


def test_every_pool_type_is_priced_or_marked_not_offered_in_every_region():
    from aiplatform.catalog import aws_instances

    prices = aws_prices()
    assert prices.regions == ["us-east-1", "us-west-2", "eu-west-1"]
    for row in aws_instances().instance_types:
        for region in prices.regions:
            assert prices.instance(row.type, region) is not None, (row.type, region)
    # and most of them are actually sold: a catalog of "not offered" would pass the loop above
    offered = sum(prices.offered(r.type, "us-east-1") for r in aws_instances().instance_types)
    assert offered == len(aws_instances().instance_types) - 1  # p5e: capacity blocks only


def test_catalog_reflects_the_2025_p4_p5_price_cut_and_regional_gaps():
    prices = aws_prices()
    assert prices.instance("p5.48xlarge", "us-east-1").amount == 55.04
    assert prices.instance("p4d.24xlarge", "us-east-1").amount == pytest.approx(21.957642)
    assert prices.instance("g6.xlarge", "eu-west-1") is NOT_OFFERED
    assert prices.instance("g5.xlarge", "eu-west-1").amount > prices.instance("g5.xlarge", "us-east-1").amount
    for row in prices.instances + prices.services:
        assert row.source.startswith("https://aws.amazon.com/") and row.as_of <= prices.as_of


def test_catalog_validation_names_every_problem():
    bad = """
as_of: "2026-01-01"
regions: [us-east-1]
spot: {ratio: 0.4, kind: assumption, source: "https://example.com/"}
instances:
  - {type: g5.xlarge, on_demand: {us-east-1: -1, mars-1: 1}, as_of: "2026-01-01", source: "https://x/"}
  - {type: g5.xlarge, on_demand: {us-east-1: 1}, as_of: "2027-01-01", source: "https://x/"}
services:
  - {sku: aws-kms-key, description: k, unit: month, prices: {us-east-1: 1}, as_of: "2026-01-01", source: "https://x/"}
  - {sku: aws-kms-key, description: k, unit: month, prices: {us-east-1: 0}, as_of: "2026-01-01", source: "https://x/"}
"""
    with pytest.raises(CatalogError) as err:
        load_prices(bad, "bad.yaml")
    text = str(err.value)
    for expected in ("instances[0].on_demand.us-east-1: price must be positive",
                     "instances[0].on_demand.mars-1: unknown region", "instances[1]: duplicate instance type g5.xlarge",
                     "instances[1].as_of: 2027-01-01 is after", "services[1]: duplicate SKU aws-kms-key",
                     "services[1].prices.us-east-1: price must be positive"):
        assert expected in text


def test_a_pool_type_not_sold_in_the_region_is_a_config_error(dev_config):
    from aiplatform.config import ConfigError, load_platform_config

    dev_config["region"] = "eu-west-1"
    dev_config["network"].pop("availability_zones", None)
    with pytest.raises(ConfigError) as err:
        load_platform_config(dev_config)
    assert "gpu_pools[0].instance_types[0]: g6.xlarge is not offered on demand or as spot in eu-west-1" in str(err.value)


def test_on_demand_pool_idle_expected_peak():
    est = estimate_plan(plan_of(pool("p", ["g5.xlarge"], 1.0, 5.0, desired=2.0)))
    item = line(est, "p")
    assert (item.quantity.idle, item.quantity.expected, item.quantity.peak) == (1.0, 2.0, 5.0)
    assert item.monthly.idle == pytest.approx(1.006 * HOURS)
    assert item.monthly.expected == pytest.approx(2 * 1.006 * HOURS)
    assert item.monthly.peak == pytest.approx(5 * 1.006 * HOURS)
    assert est.totals.peak == pytest.approx(5 * 1.006 * HOURS)  # nothing else in the plan costs money


def test_spot_pool_uses_the_spot_ratio_and_its_most_expensive_type():
    # g5.xlarge / g5.2xlarge have no spot data: the fallback ratio
    est = estimate_plan(plan_of(pool("s", ["g5.xlarge", "g5.2xlarge"], 0.0, 4.0, capacity="SPOT")))
    item = line(est, "s")
    assert item.sku == "aws-ec2-g5.2xlarge-spot"
    assert item.unit_price == pytest.approx(1.212 * 0.4)
    assert (item.monthly.idle, item.monthly.peak) == (0.0, pytest.approx(4 * 1.212 * 0.4 * HOURS))
    usage = parse_usage({"defaults": {"spot_ratio": 0.3}})
    assert line(estimate_plan(plan_of(pool("s", ["g6.2xlarge"], 0.0, 1.0, capacity="SPOT")), usage), "s").unit_price \
        == pytest.approx(0.9776 * 0.3)


def test_unpriced_lines_are_never_zero_and_stay_out_of_the_totals():
    est = estimate_plan(plan_of(pool("far", ["g5.xlarge"], 1.0, 2.0), pool("cb", ["p5.48xlarge"], 1.0, 1.0,
                                capacity="CAPACITY_BLOCK"), region="ap-south-1"))
    assert {i.name: i.status for i in est.items} == {"far": "unpriced", "cb": "unpriced"}
    assert "no price in the catalog in ap-south-1" in line(est, "far").note
    assert "no published capacity-block rate for p5.48xlarge in ap-south-1" in line(est, "cb").note
    assert est.totals.peak == 0 and len(est.unpriced) == 2
    assert "unpriced" in estimate_text(est) and "2 unpriced" in estimate_markdown(est)


def test_not_offered_type_is_unpriced_with_the_reason():
    est = estimate_plan(plan_of(pool("eu", ["g6.xlarge"], 1.0, 1.0), region="eu-west-1"))
    assert "g6.xlarge: not offered on demand in eu-west-1" in line(est, "eu").note


def test_launch_template_volumes_are_priced_per_node():
    template = resource(LT, "lt", {"blockDeviceMappings": [
        {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100.0, "volumeType": "gp3"}},
        {"deviceName": "/dev/xvdb", "ebs": {"volumeSize": 400.0, "volumeType": "gp3"}}]})
    nodes = pool("p", ["m7i.large"], 2.0, 4.0, desired=3.0, launchTemplate={"id": "x", "version": "1"})
    nodes.property_dependencies = {"launchTemplate": [template.urn]}
    est = estimate_plan(plan_of(template, nodes))
    volume = line(est, "p", "aws-ebs-gp3")
    assert (volume.quantity.idle, volume.quantity.expected, volume.quantity.peak) == (1000.0, 1500.0, 2000.0)
    assert volume.monthly.expected == pytest.approx(1500 * 0.08)


def test_per_hour_services_by_count_and_eks_support_default():
    est = estimate_plan(plan_of(
        resource("aws:eks/cluster:Cluster", "std", {"upgradePolicy": {"supportType": "STANDARD"}}),
        resource("aws:eks/cluster:Cluster", "default", {}),
        resource("aws:ec2/natGateway:NatGateway", "nat", {}),
        resource("aws:ec2/eip:Eip", "ip", {}),
        resource("aws:kms/key:Key", "key", {}),
        resource("aws:lb/loadBalancer:LoadBalancer", "nlb", {"loadBalancerType": "network"}),
        resource("aws:ec2/vpcEndpoint:VpcEndpoint", "aoss", {"vpcEndpointType": "Interface",
                                                             "subnetIds": ["a", "b", "c"]}),
    ))
    monthly = {(i.name, i.sku): i.monthly.expected for i in est.priced}
    assert monthly == pytest.approx({
        ("std", "aws-eks-cluster-standard"): 0.10 * HOURS, ("default", "aws-eks-cluster-extended"): 0.60 * HOURS,
        ("nat", "aws-nat-gateway"): 0.045 * HOURS, ("ip", "aws-public-ipv4"): 0.005 * HOURS,
        ("key", "aws-kms-key"): 1.0, ("nlb", "aws-nlb"): 0.0225 * HOURS,
        ("aoss", "aws-vpc-interface-endpoint"): 3 * 0.01 * HOURS})
    assert "defaults to EXTENDED" in line(est, "default", "aws-eks").note


def test_a_gateway_endpoint_is_shown_at_zero_dollars():
    est = estimate_plan(plan_of(resource("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"})))
    (line,) = est.items
    assert (line.sku, line.status, line.monthly.expected, line.monthly.peak) == ("aws-vpc-gateway-endpoint", "priced", 0, 0)


def test_platform_services_created_by_kubernetes_are_priced():
    est = estimate_plan(plan_of(
        resource("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint", "vpce", {"subnetIds": ["a", "b"]}),
        resource("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", "proxy", {"spec": {"provider": {
            "type": "Kubernetes", "kubernetes": {"envoyService": {"type": "LoadBalancer", "annotations": {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}}}}}}),
        resource("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", "cluster-ip", {"spec": {"provider": {
            "kubernetes": {"envoyService": {"type": "ClusterIP"}}}}}),
        resource("kubernetes:helm.sh/v3:Release", "qdrant", {"chart": "qdrant", "values": {
            "replicaCount": 3, "persistence": {"size": "50Gi"}}}),
        resource("kubernetes:helm.sh/v3:Release", "other", {"chart": "cluster-autoscaler", "values": {}}),
    ))
    monthly = {(i.name, i.sku): i.monthly.expected for i in est.priced}
    assert monthly == pytest.approx({
        ("vpce", "aws-vpc-interface-endpoint"): 2 * 0.01 * HOURS,
        ("proxy", "aws-nlb"): 0.0225 * HOURS,
        ("qdrant", "aws-ebs-gp3"): 150 * 0.08,
    })


def test_usage_file_prices_usage_based_lines_and_sets_expected_nodes():
    plan = plan_of(pool("p", ["g5.xlarge"], 0.0, 10.0, desired=0.0), pool("q", ["g5.xlarge"], 2.0, 6.0),
                   resource("aws:s3/bucketV2:BucketV2", "models", {}),
                   resource("aws:ec2/natGateway:NatGateway", "nat", {}))
    without = estimate_plan(plan)
    assert line(without, "models", "aws-s3").status == "usage-based"
    assert line(without, "models", "aws-s3") not in without.priced
    usage = parse_usage({"defaults": {"expected_utilization": 0.5},
                         "resources": {"p": {"expected_nodes": 3}, "models": {"storage_gb": 1000},
                                       "nat": {"monthly_data_processed_gb": 200}}})
    est = estimate_plan(plan, usage)
    assert line(est, "p").quantity.expected == 3 and line(est, "p").basis == "usage"
    assert line(est, "q").quantity.expected == 4  # 2 + 0.5 x (6 - 2)
    assert line(est, "models", "aws-s3").monthly.expected == pytest.approx(1000 * 0.023)
    assert line(est, "nat", "aws-nat-gateway-data").monthly.expected == pytest.approx(200 * 0.045)
    assert est.totals.expected == pytest.approx(7 * 1.006 * HOURS + 23 + 9 + 0.045 * HOURS)


def test_totals_per_team_and_component():
    est = estimate_plan(plan_of(pool("a", ["g5.xlarge"], 1.0, 1.0, tags={**TAGS, "team": "search"}),
                                pool("b", ["g5.xlarge"], 2.0, 2.0, tags={**TAGS, "team": "vision"}),
                                pool("c", ["g5.xlarge"], 1.0, 1.0, tags={"cost-center": "x"})))
    teams = est.by_team()
    assert teams["vision"].expected == pytest.approx(2 * teams["search"].expected)
    assert set(teams) == {"search", "vision", "(no team tag)"}
    assert sum(t.expected for t in teams.values()) == pytest.approx(est.totals.expected)


@pytest.mark.parametrize(("raw", "problems"), [
    ({"resources": {"nope": {"storage_gb": 1}}}, ["resources.nope: no resource with this name"]),
    ({"resources": {"pp": {"expected_nodes": 1}}},
     ["resources.pp: no resource with this name or URN in the plan (did you mean 'p'?)"]),
    ({"resources": {"p": {"storage_gb": 1}}}, ["resources.p.storage_gb: does not apply to aws:eks/nodeGroup"]),
    ({"resources": {"p": {"expected_nodes": -1}}, "defaults": {"spot_ratio": 2}, "extra": 1},
     ["resources.p.expected_nodes: must be at least 0 (got -1)",
      "defaults.spot_ratio: must be at most 1 (got 2)", "extra: unknown key"]),
])
def test_bad_usage_files_name_every_problem(raw, problems):
    with pytest.raises(UsageError) as err:
        estimate_plan(plan_of(pool("p", ["g5.xlarge"], 0.0, 1.0)), parse_usage(raw, "u.yaml"))
    for problem in problems:
        assert f"u.yaml: {problem}" in str(err.value)


def test_diff_added_removed_and_changed():
    before = estimate_plan(plan_of(pool("keep", ["g5.xlarge"], 1.0, 2.0), pool("gone", ["g5.xlarge"], 1.0, 1.0)))
    after = estimate_plan(plan_of(pool("keep", ["g5.xlarge"], 1.0, 4.0), pool("new", ["g6.xlarge"], 0.0, 2.0)))
    change = diff(before, after)
    kinds = {(c.change, c.line.name) for c in change.changes}
    assert kinds == {("changed", "keep"), ("removed", "gone"), ("added", "new")}
    keep = next(c for c in change.changes if c.line.name == "keep")
    assert keep.delta.peak == pytest.approx(2 * 1.006 * HOURS) and keep.delta.idle == 0
    assert change.delta.expected == pytest.approx(-1.006 * HOURS)
    assert change.delta.peak == pytest.approx(after.totals.peak - before.totals.peak)
    assert "will decrease by $734.38 (-50.0%), from $1,468.76" in diff_markdown(change)
    assert diff(after, after).changes == [] and "will not change" in diff_text(diff(after, after))


def test_estimate_json_round_trips_as_a_baseline(tmp_path):
    est = estimate_plan(plan_of(pool("p", ["g5.xlarge"], 1.0, 2.0), resource("aws:kms/key:Key", "k", {})))
    path = tmp_path / "cost.json"
    path.write_text(json.dumps(est.to_dict()))
    back = load_baseline(path)
    assert [i.to_dict() for i in back.items] == [i.to_dict() for i in est.items]
    assert diff(back, est).changes == []
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan_of(pool("p", ["g5.xlarge"], 1.0, 2.0)).to_json())
    assert load_baseline(plan_path).totals == estimate_plan(plan_of(pool("p", ["g5.xlarge"], 1.0, 2.0))).totals


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such baseline file"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"kind": "something"}', "neither `aiplatform cost --format json`"),
    ('{"kind": "aiplatform-cost", "version": 9}', "unsupported estimate version 9"),
    ('{"kind": "aiplatform-cost", "version": 1, "lineItems": [{"urn": "u"}]}', "lineItems[0]"),
])
def test_bad_baselines_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "base.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BaselineError) as err:
        load_baseline(path)
    assert message in str(err.value) and str(path) in str(err.value)


def _budget(monthly, basis="expected"):
    return {"aip-cost-monthly-budget": {"monthlyUsd": monthly, "basis": basis}}


def test_budget_rule_fails_over_budget_and_names_the_biggest_contributors():
    pools = (pool("big", ["p5.48xlarge"], 0.0, 2.0, desired=1.0), pool("small", ["g5.xlarge"], 1.0, 1.0))
    report = check(*pools, config=_budget(10_000))
    found = [f for f in report.findings if f.rule == "aip-cost-monthly-budget"]
    assert len(found) == 1 and found[0].blocking and report.exit_code == 1
    message = found[0].message
    assert "expected monthly estimate $40,913.58 exceeds the budget $10,000.00" in message
    assert message.index("big (p5.48xlarge") < message.index("small (g5.xlarge")
    assert "cost" in report.extra and report.extra["cost"]["budget"] == 10_000
    assert "**Budget**" in "".join(report.extra["markdown_sections"])


def test_budget_rule_passes_within_budget_and_is_off_without_one():
    pools = (pool("big", ["p5.48xlarge"], 0.0, 2.0, desired=1.0),)
    assert "aip-cost-monthly-budget" not in {f.rule for f in check(*pools, config=_budget(50_000)).findings}
    assert "aip-cost-monthly-budget" in {f.rule for f in check(*pools, config=_budget(50_000, "peak")).findings}
    report = check(*pools)
    assert "aip-cost-monthly-budget" not in {f.rule for f in report.findings} and "cost" not in report.extra


def test_budget_uses_the_provider_region():
    report = check(pool("eu", ["g5.xlarge"], 10.0, 10.0), config=_budget(7500), region="eu-west-1")
    assert any("exceeds the budget" in f.message for f in report.findings)  # 10 x 1.123 x 730 = 8197.90
    assert not any(f.rule == "aip-cost-monthly-budget" for f in check(pool("us", ["g5.xlarge"], 10.0, 10.0),
                                                                        config=_budget(7500)).findings)


def test_provider_urn_is_the_helpers():
    assert PROVIDER_URN.startswith("urn:pulumi:")


def test_kubernetes_objects_on_a_cloud_without_cluster_pricing_are_unpriced_not_priced_as_another_cloud(monkeypatch):
    """A cloud whose pricer module registers no ClusterPricing gets unpriced lines, never AWS's SKUs."""
    from aiplatform.cost import pricing

    monkeypatch.delitem(pricing.CLUSTER_PRICING, "aws")
    est = estimate_plan(plan_of(
        resource("kubernetes:core/v1:Service", "lb", {"spec": {"type": "LoadBalancer"}}),
        resource("kubernetes:helm.sh/v3:Release", "qdrant", {"chart": "qdrant", "values": {
            "replicaCount": 3, "persistence": {"size": "50Gi"}}}),
    ))
    assert est.priced == []
    assert {(i.name, i.status) for i in est.items} == {("lb", "unpriced"), ("qdrant", "unpriced")}
    assert all("no " in i.note and "pricing for aws" in i.note for i in est.items)
