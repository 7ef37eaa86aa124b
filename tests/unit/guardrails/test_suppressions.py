"""Suppressions: parsed strictly, honoured through the analyzer, expired ones bite again, malformed ones are errors."""

from __future__ import annotations

import datetime as dt

import pytest
from guardrail_helpers import PROD_TAGS, TAGS, check, resource, rules_hit

from aiplatform.guardrails import RULES, SUPPRESS_KEY, parse_suppressions, rules

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"

TODAY = dt.date(2026, 11, 22)


def on_demand_pool(suppress: str | None):
    tags = dict(TAGS) if suppress is None else {**TAGS, SUPPRESS_KEY: suppress}
    return resource(NODE_GROUP, "pool", {"instanceTypes": ["g6.xlarge"], "capacityType": "ON_DEMAND", "tags": tags,
                                         "scalingConfig": {"minSize": 0.0, "maxSize": 2.0}})


def test_parse_entries_with_and_without_separators():
    rules()
    parsed = parse_suppressions(
        "aip-cost-gpu-spot-required=load test needs on-demand capacity until 2027-01-31 "
        "aip-cost-gpu-scale-to-zero=warm node for the demo week;aip-security-ecr-kms=images hold no weights at all",
        frozenset(RULES))
    assert parsed.problems == ()
    assert [(e.rule, e.reason, e.until) for e in parsed.entries] == [
        ("aip-cost-gpu-spot-required", "load test needs on-demand capacity", dt.date(2027, 1, 31)),
        ("aip-cost-gpu-scale-to-zero", "warm node for the demo week", None),
        ("aip-security-ecr-kms", "images hold no weights at all", None),
    ]


@pytest.mark.parametrize(("value", "problem"), [
    ("aip-cost-gpu-spot-required=", "no reason given"),
    ("aip-no-such-rule=a perfectly good reason", "no such rule"),
    ("aip-cost-gpu-spot-required=a perfectly good reason until 2027-13-45", "is not a date"),
    ("spot please", "is not a `<rule>=<reason>` entry"),
    ("", "is empty"),
    ("aip-cost-gpu-spot-required=a perfectly good reason;aip-cost-gpu-spot-required=and again, twice", "twice"),
])
def test_malformed_entries_are_named(value, problem):
    rules()
    parsed = parse_suppressions(value, frozenset(RULES))
    assert any(problem in p for p in parsed.problems), parsed.problems


def test_suppressed_finding_is_reported_as_suppressed_with_its_reason():
    report = check(on_demand_pool("aip-cost-gpu-spot-required=load test needs on-demand capacity until 2027-01-31"),
                   today=TODAY)
    (finding,) = report.findings
    assert (finding.rule, finding.status, finding.blocking) == ("aip-cost-gpu-spot-required", "suppressed", False)
    assert finding.suppression == "load test needs on-demand capacity (until 2027-01-31)"
    assert "on demand" in finding.message
    assert report.exit_code == 0


def test_expired_suppression_is_a_violation_again():
    report = check(on_demand_pool("aip-cost-gpu-spot-required=load test needs on-demand capacity until 2026-01-31"),
                   today=TODAY)
    (finding,) = report.findings
    assert finding.status == "violation" and finding.blocking
    assert "suppression expired on 2026-01-31" in finding.message


def test_malformed_suppression_is_an_error_and_suppresses_nothing():
    report = check(on_demand_pool("aip-cost-gpu-spot-required=load test needs it until 2027-02-30"), today=TODAY)
    assert rules_hit(report) == {"aip-cost-gpu-spot-required"}
    assert rules_hit(report, "error") == {"aip-meta-suppression-valid"}
    assert report.exit_code == 1


def test_suppression_for_another_rule_does_not_hide_this_one():
    report = check(on_demand_pool("aip-cost-gpu-scale-to-zero=warm node for the demo week"), today=TODAY)
    assert rules_hit(report) == {"aip-cost-gpu-spot-required"}


def test_kubernetes_annotation_suppresses_a_workload():
    manifest = {"metadata": {"name": "dbg", "annotations": {SUPPRESS_KEY: "aip-kubernetes-no-host-access=node "
                                                                          "debugging daemonset, removed after incident 42"
                                                                          " until 2026-12-01"}},
                "spec": {"template": {"spec": {"hostPID": True, "containers": [{"name": "c", "image": "busybox:1.36"}]}}}}
    report = check(resource("kubernetes:apps/v1:DaemonSet", "dbg", manifest), today=TODAY)
    assert [(f.rule, f.status) for f in report.findings] == [("aip-kubernetes-no-host-access", "suppressed")]


def test_stack_rule_findings_can_be_suppressed_per_resource():
    from guardrail_helpers import resource as make

    bucket = make("aws:s3/bucket:Bucket", "scratch", {"bucket": "scratch", "tags": {
        **TAGS, SUPPRESS_KEY: "aip-security-s3-encryption-kms=public benchmark datasets only, no customer data"
                   " until 2027-02-01"}})
    pab = make("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "scratch",
               {"bucket": "scratch", "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
                "restrictPublicBuckets": True})
    report = check(bucket, pab, today=TODAY)
    assert [(f.rule, f.status, f.name) for f in report.findings] == [
        ("aip-security-s3-encryption-kms", "suppressed", "scratch")]


# ---- governance: the suppression policy is the meta rule's config ---------------------------------------------

META = "aip-meta-suppression-valid"
SPOT = "aip-cost-gpu-spot-required"


def outside_policy(report):
    return [f for f in report.findings if f.rule == META and "outside the suppression policy" in f.message]


@pytest.mark.parametrize(("suppress", "why"), [
    (f"{SPOT}=load test needs on-demand capacity until 9999-12-31", "more than 90 days away"),
    (f"{SPOT}=load test needs on-demand capacity", "no expiry"),
    (f"{SPOT}=.......... until 2027-01-31", "at least 3 words (got 0"),
    (f"{SPOT}=ok ok. until 2027-01-31", "at least 3 words (got 2"),
])
def test_entry_outside_policy_is_a_mandatory_finding_and_suppresses_nothing(suppress, why):
    report = check(on_demand_pool(suppress), today=TODAY)
    (meta,) = outside_policy(report)
    assert meta.blocking and meta.name == "pool" and SPOT in meta.message and why in meta.message, meta.message
    (spot,) = [f for f in report.findings if f.rule == SPOT]
    assert spot.status == "violation" and spot.blocking and "suppression refused" in spot.message
    assert report.exit_code == 1


def test_the_meta_rule_cannot_suppress_itself():
    value = (f"{META}=the platform team reviewed this entry until 2026-12-01;"
             f"{SPOT}=x until 2026-12-01")
    report = check(on_demand_pool(value), today=TODAY)
    metas = [f for f in report.findings if f.rule == META]
    assert metas and all(f.blocking and f.status == "error" for f in metas)
    assert any(f"suppression of {META} on pool" in f.message and "never suppressed" in f.message for f in metas)
    assert not [f for f in report.findings if f.status == "suppressed"]


def test_a_critical_rule_is_not_suppressible_unless_the_policy_config_allows_it():
    endpoint = resource("aws:eks/cluster:Cluster", "eks", {"tags": {**PROD_TAGS, SUPPRESS_KEY:
        "aip-security-eks-public-endpoint=contractors need access from anywhere until 2026-12-01"},
        "vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}})
    report = check(endpoint, today=TODAY)
    (meta,) = outside_policy(report)
    assert "critical rule" in meta.message and meta.name == "eks"
    assert [f.status for f in report.findings if f.rule == "aip-security-eks-public-endpoint"] == ["violation"]
    allowed = check(endpoint, today=TODAY, config={META: {"allowRules": ["aip-security-eks-public-endpoint"]}})
    assert not outside_policy(allowed)
    assert [f.status for f in allowed.findings if f.rule == "aip-security-eks-public-endpoint"] == ["suppressed"]


def test_the_policy_config_denies_rules_and_sets_the_limits():
    value = f"{SPOT}=load test needs on-demand capacity until 2027-06-01"  # 191 days away
    assert outside_policy(check(on_demand_pool(value), today=TODAY))
    longer = check(on_demand_pool(value), today=TODAY, config={META: {"maxExpiryDays": 365}})
    assert not outside_policy(longer) and rules_hit(longer, "suppressed") == {SPOT}
    denied = check(on_demand_pool(value), today=TODAY, config={META: {"maxExpiryDays": 365, "denyRules": [SPOT]}})
    (meta,) = outside_policy(denied)
    assert "denyRules" in meta.message and rules_hit(denied) == {SPOT}


def test_every_report_format_lists_every_suppression_with_resource_rule_reason_and_expiry():
    import json

    from aiplatform.check.reports import Format, render

    applied = on_demand_pool(f"{SPOT}=load test needs on-demand capacity until 2027-01-31")
    refused = resource(NODE_GROUP, "other", {**applied.inputs, "tags": {
        **TAGS, SUPPRESS_KEY: f"{SPOT}=another team wants on-demand until 2099-01-31"}})
    report = check(applied, refused, today=TODAY)
    assert [(a.name, a.rule, a.status) for a in report.suppressions] == [
        ("pool", SPOT, "applied"), ("other", SPOT, "refused")]
    for fmt in Format:
        text = render(report, fmt)
        for needle in ("pool", "other", SPOT, "load test needs on-demand capacity", "2027-01-31",
                       "another team wants on-demand", "2099-01-31"):
            assert needle in text, (fmt, needle)
    sarif = json.loads(render(report, Format.sarif))["runs"][0]
    states = {r["properties"]["urn"].rsplit("::", 1)[1]: r["suppressions"][0]["status"]
              for r in sarif["results"] if r["ruleId"] == SPOT}
    assert states == {"pool": "accepted", "other": "rejected"}
    assert "load test needs on-demand capacity" in next(
        r for r in sarif["results"] if r["ruleId"] == SPOT and r["suppressions"][0]["status"] == "accepted"
    )["suppressions"][0]["justification"]
