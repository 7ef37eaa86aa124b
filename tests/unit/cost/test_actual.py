"""`cost --actual`: an OpenCost allocation export (OpenCost's documented API format) against an estimate."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from aiplatform.cost.actual import AllocationError, compare, comparison_json, load_allocation, parse_allocation
from aiplatform.cost.model import Estimate, LineItem, Triple

DATA = ROOT / "tests" / "data" / "opencost"


def _alloc(total, minutes=60 * 24, **parts):
    return {"name": "x", "minutes": minutes, "totalCost": total, **parts}


def test_the_recorded_export_totals_per_name_and_component_scaled_to_a_month():
    allocation = load_allocation(DATA / "allocation-aws-prod-7d.json")
    assert allocation.minutes == 10080
    raw = json.loads((DATA / "allocation-aws-prod-7d.json").read_text())["data"][0]
    scale = 730 * 60 / 10080
    assert allocation.by_name["search"] == round(raw["search"]["totalCost"] * scale, 2)
    nodes = sum(a["cpuCost"] + a["gpuCost"] + a["ramCost"] for a in raw.values())
    assert allocation.by_component["nodes"] == round(nodes * scale, 2)
    assert set(allocation.by_name) == {"search", "assistants", "monitoring", "llm-gateway", "kube-system", "__idle__"}


def test_sets_of_several_steps_are_summed():
    data = {"code": 200, "data": [{"a": _alloc(10.0, gpuCost=8.0)}, {"a": _alloc(20.0, gpuCost=16.0)}]}
    allocation = parse_allocation(data, "x.json")
    assert allocation.minutes == 2 * 60 * 24
    assert allocation.by_name == {"a": round(30.0 * 730 * 60 / (2 * 60 * 24), 2)}


def _estimate():
    def line(type_, sku, team, amount):
        return LineItem(urn=f"urn:{sku}", name=sku, type=type_, component="c", team=team, sku=sku,
                        description="", status="priced", monthly=Triple.same(amount))
    return Estimate(project="p", stack="s", region="us-east-1", catalog_as_of="2026-11-22", items=[
        line("aws:eks/nodeGroup:NodeGroup", "aws-ec2-g6.xlarge", "ml-platform", 500.0),
        line("kubernetes:helm.sh/v3:Release", "aws-ebs-gp3", "ml-platform", 16.0),
        line("aws:ec2/natGateway:NatGateway", "aws-nat-gateway", "ml-platform", 32.85),
    ])


def test_compare_per_team_and_component_with_the_difference():
    allocation = parse_allocation({"code": 200, "data": [{
        "search": _alloc(20.0, minutes=43800, gpuCost=15.0, cpuCost=3.0, ramCost=2.0),
        "monitoring": _alloc(1.0, minutes=43800, pvCost=1.0)}]}, "x.json")  # 730 h: no scaling
    comparison = compare(_estimate(), allocation)
    teams = {r.name: (r.estimate, r.actual, r.difference) for r in comparison.teams}
    assert teams["search"] == (0.0, 20.0, 20.0) and teams["ml-platform"] == (548.85, 0.0, -548.85)
    components = {r.name: (r.estimate, r.actual, r.difference) for r in comparison.components}
    assert components["nodes"] == (500.0, 20.0, -480.0)
    assert components["persistent volumes"] == (16.0, 1.0, -15.0)
    assert components["outside the cluster"] == (32.85, None, None)  # OpenCost does not see NAT gateways
    assert json.loads(comparison_json(comparison))["kind"] == "aiplatform/cost-actual"


@pytest.mark.parametrize(("data", "expected"), [
    ([], ["data: required"]),
    ({"code": 500, "data": [{"a": _alloc(1.0)}]}, ["code: the API answered 500"]),
    ({"data": [{"a": {"totalCost": True, "minutes": 0, "gpuCost": "1"}}]},
     ["data[0].a.totalCost: required: a number", "data[0].a.minutes: required", "data[0].a.gpuCost: must be a number"]),
    ({"data": [{}]}, ["data: no allocations"]),
])
def test_malformed_exports_name_every_problem(data, expected):
    with pytest.raises(AllocationError) as info:
        parse_allocation(data, "bad.json")
    for text in expected:
        assert text in str(info.value)


def test_the_recorded_malformed_export_is_refused_with_every_path():
    with pytest.raises(AllocationError) as info:
        load_allocation(DATA / "allocation-malformed.json")
    message = str(info.value)
    for path in ("data[0].search.totalCost", "data[0].monitoring.gpuCost", "data[0].monitoring.minutes",
                 "data[0].kube-system", "data[1]"):
        assert path in message
