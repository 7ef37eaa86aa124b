"""How pools are billed (issue 18): spot from data with a labelled fallback, a specific reservation at
its VM count at every basis, expected within [idle, peak]."""

from __future__ import annotations

import pytest
from guardrail_helpers import TAGS, plan_of, resource
from hypothesis import given
from hypothesis import strategies as st

from aiplatform.catalog.prices import gcp_prices
from aiplatform.cost import estimate_resources, parse_usage
from aiplatform.cost.plan import estimate_plan
from aiplatform.shape.resource import Resource

HOURS = 730
GKE = "gcp:container/nodePool:NodePool"


def gke_pool(name: str, machine: str, *, zones=("us-east4-a", "us-east4-c"), initial: float = 1,
             low: float = 0, high: float = 4, **node_config) -> Resource:
    props = {"nodeLocations": list(zones), "initialNodeCount": initial,
             "autoscaling": {"totalMinNodeCount": low, "totalMaxNodeCount": high},
             "nodeConfig": {"machineType": machine, "labels": TAGS, "resourceLabels": TAGS, **node_config}}
    return Resource(type=GKE, urn=f"urn:pulumi:prod::p::{GKE}::{name}", name=name, props=props)


def gcp_estimate(*pools: Resource, usage=None):
    return estimate_resources(list(pools), region="us-east4", catalog=gcp_prices(), usage=usage)


def instance_line(est, name: str):
    found = [i for i in est.items if i.name == name and i.sku.startswith("gcp-compute-")]
    assert len(found) == 1, [(i.name, i.sku) for i in est.items]
    return found[0]


def test_issue18_gcp_spot_is_the_published_spot_price_not_a_ratio():
    est = gcp_estimate(gke_pool("batch", "a2-ultragpu-1g", zones=("us-east4-c",), spot=True))
    line = instance_line(est, "batch")
    assert line.unit_price == pytest.approx(0.463 + 1.7697)  # machine + one A100 80GB, spot, us-east4
    assert line.unit_price != pytest.approx(0.4 * gcp_prices().instance("a2-ultragpu-1g", "us-east4").amount)
    assert "spot price from data" in line.note and line.price_as_of == "2026-12-01"
    assert est.assumptions["spotPrices"] == {"data": ["a2-ultragpu-1g"]}


def test_issue18_spot_without_data_falls_back_to_the_ratio_and_says_so():
    est = estimate_plan(plan_of(resource("aws:eks/nodeGroup:NodeGroup", "s", {
        "instanceTypes": ["g5.xlarge"], "capacityType": "SPOT", "tags": TAGS,
        "scalingConfig": {"minSize": 0, "maxSize": 2}})))
    line = next(i for i in est.items if i.sku.startswith("aws-ec2"))
    assert line.unit_price == pytest.approx(1.006 * 0.4)
    assert "spot fallback (no spot data): 0.4 x on-demand" in line.note
    assert est.assumptions["spotPrices"] == {"fallback": ["g5.xlarge"]}
    # a usage-file ratio overrides data, and is labelled as the user's
    usage = parse_usage({"defaults": {"spot_ratio": 0.5}})
    est = gcp_estimate(gke_pool("batch", "g2-standard-8", spot=True), usage=usage)
    assert instance_line(est, "batch").unit_price == pytest.approx(0.5 * 0.85083)
    assert est.assumptions["spotPrices"] == {"usage": ["g2-standard-8"]}


def aws_spot_pool(name: str, types: list[str], high: float = 2):
    return resource("aws:eks/nodeGroup:NodeGroup", name, {
        "instanceTypes": types, "capacityType": "SPOT", "tags": TAGS, "scalingConfig": {"minSize": 0, "maxSize": high}})


def test_issue18_aws_spot_from_data_and_the_assumptions_say_which_is_which():
    est = estimate_plan(plan_of(aws_spot_pool("serve", ["g6.xlarge", "g6.2xlarge"]),
                                aws_spot_pool("train", ["p5.48xlarge"])))
    serve = next(i for i in est.items if i.name == "serve" and i.sku.startswith("aws-ec2"))
    train = next(i for i in est.items if i.name == "train" and i.sku.startswith("aws-ec2"))
    assert serve.sku == "aws-ec2-g6.2xlarge-spot" and serve.unit_price == pytest.approx(0.4575)  # highest zone
    assert "spot price from data" in serve.note
    assert train.unit_price == pytest.approx(0.4 * 55.04) and "spot fallback (no spot data)" in train.note
    assert est.assumptions["spotPrices"] == {"data": ["g6.2xlarge", "g6.xlarge"], "fallback": ["p5.48xlarge"]}


def test_issue18_a_p5e_spot_pool_is_priced_where_the_spot_data_sells_it():
    from aiplatform.catalog.checks import region_offer_problems

    assert region_offer_problems(["p5e.48xlarge"], "us-west-2", "aws", spot=True) == []
    assert region_offer_problems(["p5e.48xlarge"], "us-east-1", "aws", spot=True) != []
    assert region_offer_problems(["p5e.48xlarge"], "us-west-2", "aws") != []  # not sold on demand
    west = estimate_plan(plan_of(aws_spot_pool("h200", ["p5e.48xlarge"]), region="us-west-2"))
    line = next(i for i in west.items if i.sku.startswith("aws-ec2"))
    assert line.status == "priced" and line.unit_price == pytest.approx(12.5362)
    east = estimate_plan(plan_of(aws_spot_pool("h200", ["p5e.48xlarge"]), region="us-east-1"))
    line = next(i for i in east.items if i.sku.startswith("aws-ec2"))
    assert line.status == "unpriced" and "not sold as spot (spot data)" in line.note


def test_issue18_a_type_not_sold_as_spot_is_unpriced_with_the_reason():
    est = estimate_resources([gke_pool("a2", "a2-highgpu-1g", spot=True)], region="us-east4", catalog=gcp_prices())
    line = instance_line(est, "a2")
    assert line.status == "unpriced" and "a2-highgpu-1g: not sold as spot (spot data) in us-east4" in line.note


def test_issue18_a_specific_reservation_is_billed_at_idle():
    reserved = gke_pool("training", "a2-ultragpu-8g", zones=("us-east4-c",), initial=0, low=0, high=2,
                        reservationAffinity={"consumeReservationType": "SPECIFIC_RESERVATION",
                                             "key": "compute.googleapis.com/reservation-name", "values": ["r"]})
    line = instance_line(gcp_estimate(reserved), "training")
    hourly = gcp_prices().instance("a2-ultragpu-8g", "us-east4").amount
    assert (line.quantity.idle, line.quantity.expected, line.quantity.peak) == (2, 2, 2)
    assert line.monthly.idle == pytest.approx(2 * hourly * HOURS) == line.monthly.peak
    assert "billed at every basis, used or not" in line.note
    assert "not a published figure" not in line.note  # A2 Ultra in us-east4 is a published price now


def test_issue18_expected_from_the_desired_total_is_clamped_to_peak():
    # total max 2 over 3 zones, one node per zone at creation: 3 desired would exceed the peak
    line = instance_line(gcp_estimate(gke_pool("p", "g2-standard-8", zones=("us-east4-a", "us-east4-b", "us-east4-c"),
                                                initial=1, low=0, high=2)), "p")
    assert (line.quantity.idle, line.quantity.expected, line.quantity.peak) == (0, 2, 2)
    assert "clamped to [0, 2]" in line.note


@given(zones=st.integers(1, 4), initial=st.integers(0, 5), low=st.integers(0, 6), extra=st.integers(0, 6),
       spot=st.booleans(), reserved=st.booleans())
def test_issue18_no_pool_expected_exceeds_its_peak_or_falls_below_idle(zones, initial, low, extra, spot, reserved):
    config = {"spot": True} if spot else {}
    if reserved and not spot:
        config["reservationAffinity"] = {"consumeReservationType": "SPECIFIC_RESERVATION", "values": ["r"]}
    names = [f"us-central1-{z}" for z in "abcf"[:zones]]
    est = estimate_resources([gke_pool("p", "g2-standard-8", zones=names, initial=initial, low=low, high=low + extra,
                                       **config)], region="us-central1", catalog=gcp_prices())
    for line in est.items:
        assert line.quantity.idle <= line.quantity.expected <= line.quantity.peak, line
        assert line.monthly.idle <= line.monthly.expected <= line.monthly.peak, line


def cluster(location: str, **props) -> Resource:
    t = "gcp:container/cluster:Cluster"
    return Resource(type=t, urn=f"urn:pulumi:prod::p::{t}::c", name="c", props={"location": location, **props})


def nat() -> Resource:
    t = "gcp:compute/routerNat:RouterNat"
    return Resource(type=t, urn=f"urn:pulumi:prod::p::{t}::nat", name="nat", props={})


def test_issue18_gke_free_tier_credit_for_a_zonal_cluster_only_and_overridable():
    zonal = gcp_estimate(cluster("us-east4-a"))
    assert {i.sku: i.monthly.expected for i in zonal.items if i.status == "priced"} == {
        "gcp-gke-cluster": pytest.approx(73.0),
                                                               "gcp-gke-free-tier": pytest.approx(-73.0)}
    assert zonal.totals.expected == pytest.approx(0)
    regional = gcp_estimate(cluster("us-east4"))
    assert [i.sku for i in regional.items if i.status == "priced"] == ["gcp-gke-cluster"]
    assert "does not apply" in regional.items[0].note
    autopilot = gcp_estimate(cluster("us-east4", enableAutopilot=True))
    assert autopilot.totals.expected == pytest.approx(0)
    used = gcp_estimate(cluster("us-east4-a"), usage=parse_usage({"defaults": {"gke_free_tier": False}}))
    assert used.totals.expected == pytest.approx(73.0)


def test_issue18_cloud_nat_bills_per_vm_below_the_cap_and_its_ip():
    est = gcp_estimate(nat(), gke_pool("p", "g2-standard-8", initial=1, low=2, high=40))
    vm = next(i for i in est.items if i.sku == "gcp-cloud-nat-vm")
    assert vm.monthly.idle == pytest.approx(2 * 0.0014 * HOURS)
    assert vm.monthly.peak == pytest.approx(0.044 * HOURS)  # 40 nodes: the cap
    ip = next(i for i in est.items if i.sku == "gcp-nat-ip")
    assert ip.monthly.expected == pytest.approx(0.005 * HOURS)


def test_issue18_sustained_use_discount_for_n1_n2_on_by_default():
    on = instance_line(gcp_estimate(gke_pool("sys", "n2-standard-4", low=1, high=1, initial=1, zones=("us-east4-a",))), "sys")
    assert on.unit_price == pytest.approx(0.218756 * 0.8, rel=1e-5) and "sustained-use discount 20%" in on.note
    off = instance_line(gcp_estimate(gke_pool("sys", "n2-standard-4", low=1, high=1, initial=1, zones=("us-east4-a",)),
                                     usage=parse_usage({"defaults": {"sustained_use": False}})), "sys")
    assert off.unit_price == pytest.approx(0.218756)
    e2 = instance_line(gcp_estimate(gke_pool("sys", "e2-standard-4", low=1, high=1, initial=1)), "sys")
    assert "sustained-use" not in e2.note  # E2 has none


@pytest.mark.parametrize(("capacity", "accepted"), [("spot", True), ("on-demand", False)])
def test_issue18_the_config_accepts_a_pool_the_spot_data_sells(dev_config, capacity, accepted):
    from aiplatform.config import ConfigError, load_platform_config

    dev_config["region"] = "us-west-2"
    dev_config["network"].pop("availability_zones", None)
    dev_config["gpu_pools"].append({**dev_config["gpu_pools"][1], "name": "h200", "instance_types": ["p5e.48xlarge"],
                                    "capacity_type": capacity})
    if accepted:
        assert load_platform_config(dev_config).gpu_pools[-1].instance_types == ["p5e.48xlarge"]
    else:
        with pytest.raises(ConfigError, match="p5e.48xlarge is not offered on demand in us-west-2"):
            load_platform_config(dev_config)


def block_pool(itype: str, high: float = 2):
    return resource("aws:eks/nodeGroup:NodeGroup", "train", {
        "instanceTypes": [itype], "capacityType": "CAPACITY_BLOCK", "tags": TAGS,
        "scalingConfig": {"minSize": 0, "maxSize": high, "desiredSize": 0}})


def test_issue18_a_capacity_block_is_priced_at_the_published_rate_at_every_basis():
    est = estimate_plan(plan_of(block_pool("p5.48xlarge"), region="us-east-1"))
    line = next(i for i in est.items if i.sku == "aws-ec2-p5.48xlarge-capacity-block")
    assert line.status == "priced" and line.unit_price == 39.33 and line.price_as_of == "2024-12-31"
    assert (line.monthly.idle, line.monthly.expected, line.monthly.peak) == (pytest.approx(2 * 39.33 * HOURS),) * 3
    assert "paid upfront" in line.note and "capacityblocks/pricing" in line.price_source
    # a type or region without a published rate stays unpriced, with the reason, never $0
    for itype, region in (("p5.48xlarge", "us-west-2"), ("p5e.48xlarge", "us-east-1")):
        other = estimate_plan(plan_of(block_pool(itype), region=region))
        line = next(i for i in other.items if i.sku.endswith("-capacity-block"))
        assert line.status == "unpriced" and "no published capacity-block rate" in line.note
        assert other.totals.peak == pytest.approx(sum(i.monthly.peak for i in other.priced))


def test_a_capacity_block_rate_needs_its_date_and_source():
    from aiplatform.catalog import CatalogError
    from aiplatform.catalog.prices import load_prices

    bad = """as_of: "2026-12-01"
regions: [us-east-1]
spot: {ratio: 0.4, kind: assumption, source: "https://x.test/"}
instances:
  - {type: p5.48xlarge, on_demand: {us-east-1: 55.04}, as_of: "2026-08-26", source: "https://x.test/", capacity_block: {us-east-1: 39.33, mars-1: 1}}
services: []
"""
    with pytest.raises(CatalogError) as err:
        load_prices(bad, "bad.yaml")
    assert "capacity-block rates need capacity_block_as_of and capacity_block_source" in str(err.value)
