"""`aiplatform check` end to end: reference stacks, one fault at a time, reports, the real pack over gRPC."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from conftest import REFERENCE_STACKS, ROOT, stack_platform

from aiplatform.check.analyzer import run_analyzer
from aiplatform.check.findings import findings_from
from aiplatform.check.reports import Format, Locations, render
from aiplatform.check.runner import check_plan
from aiplatform.testing import plan_project

SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aiplatform.cli", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)


@pytest.fixture(scope="module")
def reports(plans):
    return {stack: check_plan(plan) for stack, plan in plans.preview.of(REFERENCE_STACKS).items()}


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_reference_stacks_pass(reports, stack):
    report = reports[stack]
    assert report.exit_code == 0, [f"{f.rule} {f.urn}: {f.message}" for f in report.blocking]
    # the rules really looked at the platform: every pool, cluster and launch template was checked
    checked_rules = {rule for rule, _ in report.checked}
    assert {"aip-cost-gpu-spot-required", "aip-security-imdsv2-required", "aip-security-eks-public-endpoint",
            "aip-cost-required-tags", "aip-cost-stack-max-accelerators"} <= checked_rules


def _mutated(stack, mutate, extra=None):
    config = stack_platform(stack)
    mutate(config)
    return plan_project(ROOT, stack, config_overrides={"aiplatform:platform": config, **(extra or {})})


def _p5_in_dev(c):
    c["gpu_pools"].append({"name": "train-p5", "instance_types": ["p5.48xlarge"], "capacity_type": "spot",
                           "min_nodes": 0, "max_nodes": 10})


def _on_demand_in_dev(c):
    c["gpu_pools"][0]["capacity_type"] = "on-demand"


def _world_endpoint_in_prod(c):
    # 0.0.0.0/0 itself is refused by config validation; two /1 halves are the same world
    c["cluster"]["endpoint"] = {"public": True, "public_cidrs": ["0.0.0.0/1", "128.0.0.0/1"]}


def _region_outside(c):
    c["region"] = "ap-south-1"
    c["network"].pop("availability_zones", None)


@pytest.mark.parametrize(("stack", "mutate", "expected"), [
    ("aws-dev", _p5_in_dev, {"aip-cost-accelerator-allowed", "aip-cost-pool-max-accelerators",
                             "aip-cost-stack-max-accelerators"}),
    ("aws-dev", _on_demand_in_dev, {"aip-cost-gpu-spot-required"}),
    ("aws-prod", _world_endpoint_in_prod, {"aip-security-eks-public-endpoint"}),
    ("aws-dev", _region_outside, {"aip-compliance-region-allowed"}),
], ids=["p5-in-dev", "on-demand-in-dev", "world-endpoint-in-prod", "region-outside"])
def test_one_fault_at_a_time(stack, mutate, expected):
    # the stack's default-provider region follows the platform's (a mismatch is a config error, exit 2)
    extra = {"aws:region": "ap-south-1"} if mutate is _region_outside else None
    report = check_plan(_mutated(stack, mutate, extra))
    assert report.exit_code == 1
    assert {f.rule for f in report.blocking} == expected


def test_missing_cost_tag_in_the_plan(plans, tmp_path):
    """Config refuses a platform without cost tags, so the fault is injected where a hand-written stack has it."""
    data = json.loads(plans.preview["aws-dev"].to_json())  # a copy: the session fixture stays intact
    cluster = next(r for r in data["resources"] if r["type"] == "aws:eks/cluster:Cluster")
    del cluster["inputs"]["tags"]["cost-center"]
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(data))
    result = _cli("check", "--plan", str(plan_file), "--format", "json")
    assert result.returncode == 1, result.stderr
    out = json.loads(result.stdout)
    assert {f["rule"] for f in out["findings"] if f["blocking"]} == {"aip-cost-required-tags"}
    assert [f["urn"] for f in out["findings"]] == [cluster["urn"]]


def test_cli_on_reference_stack_and_formats(tmp_path):
    result = _cli("check", "--stack", "aws-prod")
    assert result.returncode == 0, result.stderr
    from aiplatform.guardrails import rules

    assert "passed" in result.stdout and f"{len(rules())} rules" in result.stdout
    for fmt in ("json", "sarif", "junit", "markdown"):
        out = tmp_path / f"report.{fmt}"
        result = _cli("check", "--stack", "aws-dev", "--format", fmt, "--output", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_text() and not list(tmp_path.glob("*.tmp"))


def _failing_plan():
    return _mutated("aws-dev", _p5_in_dev)


@pytest.fixture(scope="module")
def failing_report():
    report = check_plan(_failing_plan())
    # plus a suppressed and an advisory finding, so every report shape is exercised
    from guardrail_helpers import TAGS, check, resource

    extra = check(
        resource("aws:ecr/repository:Repository", "images", {"tags": {**TAGS, "aiplatform.io/suppress":
                 "aip-security-ecr-kms=images carry no model weights, AES256 is enough until "
                 f"{dt.date.today() + dt.timedelta(days=30)}"},
                 "imageTagMutability": "MUTABLE", "imageScanningConfiguration": {"scanOnPush": True}}))
    report.findings.extend(extra.findings)
    return report


def all_rules():
    from aiplatform.guardrails import rules

    return rules()


def test_sarif_validates_and_carries_rules_locations_and_suppressions(failing_report):
    sarif = json.loads(render(failing_report, Format.sarif, Locations(fallback="stacks/Pulumi.aws-dev.yaml")))
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert len(rules) == len(all_rules()) and rules["aip-security-eks-public-endpoint"]["properties"]["security-severity"] == "9.5"
    results = run["results"]
    errors = [r for r in results if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} >= {"aip-cost-accelerator-allowed", "aip-cost-pool-max-accelerators"}
    located = next(r for r in errors if r["ruleId"] == "aip-cost-pool-max-accelerators")
    assert located["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stacks/__main__.py"
    assert located["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith("::ml-dev-train-p5")
    suppressed = [r for r in results if r.get("suppressions")]
    assert [s["ruleId"] for s in suppressed] == ["aip-security-ecr-kms"]
    assert "AES256 is enough" in suppressed[0]["suppressions"][0]["justification"]


def test_junit_parses_with_a_case_per_rule_and_resource(failing_report):
    root = ET.fromstring(render(failing_report, Format.junit))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert len(suites) == len(all_rules())
    pool = suites["aip-cost-pool-max-accelerators"]
    cases = pool.findall("testcase")
    assert int(pool.get("tests")) == len(cases) == 4  # system pool + three GPU pools
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name").rsplit("::", 1)[1] for c in failed] == ["ml-dev-train-p5"]
    assert int(root.get("failures")) >= 3 and int(root.get("skipped")) == 1


def test_markdown_comment(failing_report):
    text = render(failing_report, Format.markdown)
    assert text.startswith("### :x: aiplatform check `aiplatform/aws-dev`: 3 blocking")
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0] == "| Rule | Severity | Resource | Finding |" and len(table) >= 4
    assert "<details><summary>Suppressed findings (1)</summary>" in text
    assert "<details><summary>Advisory findings (1)</summary>" in text  # ECR mutable tags (advisory)


@pytest.mark.parametrize(("config", "problems"), [
    ({"aip-no-such-rule": "mandatory"}, ["aip-no-such-rule: no such policy"]),
    ({"all": "sometimes"}, ["all: enforcement level must be one of"]),
    ({"aip-cost-pool-max-accelerators": {"maxAcceleratorsPerPool": {"*": "eight"}, "typo": 1},
      "aip-compliance-region-allowed": {"allowedRegions": "us-east-1"}},
     ["aip-cost-pool-max-accelerators.maxAcceleratorsPerPool.*: 'eight' is not of type 'number'",
      "aip-cost-pool-max-accelerators: Additional properties are not allowed ('typo' was unexpected)",
      "aip-compliance-region-allowed.allowedRegions: 'us-east-1' is not of type 'array'"]),
])
def test_bad_policy_config_is_exit_2_naming_every_problem(tmp_path, config, problems):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(config))
    result = _cli("check", "--stack", "aws-dev", "--policy-config", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for problem in problems:
        assert problem in result.stderr.replace("\n", " ").replace("  ", " ") or problem in result.stderr, result.stderr


def test_unreadable_policy_config_and_plan(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = _cli("check", "-s", "aws-dev", "--policy-config", str(bad))
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    result = _cli("check", "--plan", str(tmp_path / "missing.json"))
    assert result.returncode == 2 and "no such plan file" in result.stderr


BLOCK_PROVIDER_SDKS = (
    "import sys, runpy\n"
    "for name in ('pulumi_aws', 'pulumi_gcp', 'pulumi_kubernetes'):\n"
    "    sys.modules[name] = None  # importing one now fails\n"
    "runpy.run_path('__main__.py', run_name='__main__')\n"
)


@pytest.fixture(scope="module")
def served_pack():
    """`policies/__main__.py` started as the CLI starts a pack: it prints its port and serves the Analyzer service."""
    import grpc
    from pulumi.runtime.proto import analyzer_pb2_grpc

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", BLOCK_PROVIDER_SDKS], cwd=ROOT / "policies", env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = proc.stdout.readline().strip()
        assert port.isdigit(), proc.stderr.read()
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.kill()
        proc.wait()


def _through_pack(stub, plan, config=None):
    from aiplatform.guardrails import rules

    run = run_analyzer(stub, plan, config or {})
    severities = {r.name: r.severity.value for r in rules()}
    levels = {n: p.enforcement for n, p in run.resolved.items()}
    return findings_from(run.diagnostics, run.not_applicable, plan, severities, levels)


def _key(findings):
    return sorted((f.rule, f.status, f.enforcement, f.urn or "", f.message, f.suppression or "") for f in findings)


@pytest.mark.parametrize("case", ["aws-dev", "aws-prod", "p5-in-dev"])
def test_check_matches_the_pack_served_over_grpc(served_pack, plans, case):
    plan = _failing_plan() if case == "p5-in-dev" else plans.preview[case]
    config = {"aip-kubernetes-image-pinned": "mandatory", "aip-cost-pool-max-accelerators": {
        "maxAcceleratorsPerPool": {"*": 4}}}
    offline = check_plan(plan, config).findings
    assert _key(offline) == _key(_through_pack(served_pack, plan, config))
    if case != "aws-prod":
        assert offline  # a comparison of two empty lists would prove nothing


def test_pack_matches_on_suppressed_expired_and_malformed(served_pack):
    from guardrail_helpers import TAGS, plan_of, resource

    def pool(name, suppress):
        return resource("aws:eks/nodeGroup:NodeGroup", name, {
            "instanceTypes": ["g6.xlarge"], "capacityType": "ON_DEMAND", "scalingConfig": {"minSize": 1.0, "maxSize": 2.0},
            "tags": {**TAGS, "aiplatform.io/suppress": suppress}})

    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    plan = plan_of(pool("a", f"aip-cost-gpu-spot-required=load test needs on-demand capacity until {soon}"),
                   pool("b", "aip-cost-gpu-spot-required=load test needs on-demand capacity until 2001-01-31"),
                   pool("c", "aip-cost-gpu-spot-required=short until 2027-02-30"),
                   # outside the suppression policy: each a mandatory finding, and the finding stays a violation
                   pool("d", "aip-cost-gpu-spot-required=load test needs on-demand capacity until 9999-12-31"),
                   pool("e", f"aip-cost-gpu-spot-required=.......... until {soon}"),
                   pool("f", f"aip-meta-suppression-valid=the platform team said so until {soon}"),
                   pool("g", f"aip-cost-gpu-spot-required=team wants on-demand nodes here until {soon}"))
    config = {"aip-meta-suppression-valid": {"denyRules": ["aip-cost-gpu-spot-required"]}}
    offline = check_plan(plan).findings
    assert {(f.name, f.rule, f.status) for f in offline} >= {
        ("a", "aip-cost-gpu-spot-required", "suppressed"), ("b", "aip-cost-gpu-spot-required", "violation"),
        ("c", "aip-cost-gpu-spot-required", "violation"), ("c", "aip-meta-suppression-valid", "error"),
        ("d", "aip-cost-gpu-spot-required", "violation"), ("d", "aip-meta-suppression-valid", "error"),
        ("e", "aip-cost-gpu-spot-required", "violation"), ("e", "aip-meta-suppression-valid", "error"),
        ("f", "aip-meta-suppression-valid", "error"), ("g", "aip-cost-gpu-spot-required", "suppressed")}
    assert _key(offline) == _key(_through_pack(served_pack, plan))
    denied = check_plan(plan, config).findings  # the platform's policy config does not allow this rule
    assert ("g", "aip-cost-gpu-spot-required", "violation") in {(f.name, f.rule, f.status) for f in denied}
    assert any(f.name == "g" and f.rule == "aip-meta-suppression-valid" and f.blocking for f in denied)
    assert _key(denied) == _key(_through_pack(served_pack, plan, config))


def test_budget_rule_runs_inside_the_served_pack(served_pack, plans):
    """The estimator runs in the pack process, where no provider SDK can be imported."""
    config = {"aip-cost-monthly-budget": {"monthlyUsd": 1000, "basis": "peak"}}
    plan = plans.preview["aws-dev"]
    through_pack = _through_pack(served_pack, plan, config)
    budget = [f for f in through_pack if f.rule == "aip-cost-monthly-budget"]
    assert len(budget) == 1 and "peak monthly estimate $5,769.78 exceeds the budget $1,000.00" in budget[0].message
    assert _key(check_plan(plan, config).findings) == _key(through_pack)
