"""`check --baseline`: the two data-safety rules on small plans, each protection and each way of losing a resource."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aiplatform.check.baseline import (
    PROTECTION_REMOVED,
    STATEFUL_REPLACED,
    BaselineError,
    compare,
    load_baseline,
    with_baseline,
)
from aiplatform.check.findings import CheckReport
from aiplatform.check.reports import Format, render
from aiplatform.components.aws.access import principal_key
from aiplatform.shape.plan import Plan, PlannedResource
from aiplatform.shape.props import UNKNOWN

STACK = "urn:pulumi:prod::proj::pulumi:pulumi:Stack::proj-prod"
COMPONENT = "urn:pulumi:prod::proj::aiplatform:index:SecureBucket::models"


def _urn(type_: str, name: str, parent: str | None = None) -> str:
    qualified = type_ if parent is None else f"{parent.split('::')[2]}${type_}"
    return f"urn:pulumi:prod::proj::{qualified}::{name}"


def _res(type_: str, name: str, inputs: dict | None = None, *, protect: bool = False, retain: bool = False,
         parent: str | None = None, aliases: list | None = None) -> PlannedResource:
    return PlannedResource(urn=_urn(type_, name, parent), type=type_, name=name, custom=True,
                           parent=parent or STACK, provider=None, protect=protect, dependencies=[],
                           inputs=inputs or {}, aliases=aliases or [], retain_on_delete=retain)


def _plan(*resources: PlannedResource, stack: str = "prod") -> Plan:
    stack_res = PlannedResource(urn=STACK, type="pulumi:pulumi:Stack", name="proj-prod", custom=False, parent=None,
                                provider=None, protect=False, dependencies=[], inputs={})
    return Plan(project="proj", stack=stack, mode="preview", resources=[stack_res, *resources], outputs={})


BUCKET = "aws:s3/bucket:Bucket"
EKS = "aws:eks/cluster:Cluster"
GKE = "gcp:container/cluster:Cluster"


def _base() -> Plan:
    return _plan(
        _res(BUCKET, "models", {"bucket": "acme-models", "forceDestroy": False}, protect=True, retain=True),
        _res(EKS, "ml", {"name": "ml", "deletionProtection": True}, protect=True),
        _res(GKE, "gke", {"name": "gke", "location": "us-east4"}, protect=True),  # deletionProtection: provider default on
        _res("kubernetes:storage.k8s.io/v1:StorageClass", "pd", {"reclaimPolicy": "Retain"}),
        _res("kubernetes:core/v1:Namespace", "team-a", {"metadata": {"name": "a"}}, protect=True, retain=True),
        _res("aws:ecr/repository:Repository", "images", {"name": "ml-serving", "forceDelete": False}, protect=True),
        _res("aws:iam/role:Role", "plain", {}),
    )


def _changed(mutate) -> Plan:
    plan = copy.deepcopy(_base())
    mutate({r.name: r for r in plan.resources})
    return plan


def _found(plan: Plan) -> list[tuple[str, str | None, str]]:
    return [(f.rule, f.name, f.message) for f in compare(_base(), plan).findings]


def test_an_unchanged_plan_passes_against_itself():
    result = compare(_base(), _base())
    assert result.findings == []
    checked = {(rule, urn.rsplit("::", 1)[-1]) for rule, urn in result.checked}
    # every protected and every stateful resource was looked at; the unprotected role by neither rule
    assert (PROTECTION_REMOVED, "models") in checked and (STATEFUL_REPLACED, "team-a") in checked
    assert (PROTECTION_REMOVED, "pd") in checked
    assert not [c for c in checked if c[1] == "plain"]


@pytest.mark.parametrize(("mutate", "name", "what"), [
    (lambda r: setattr(r["models"], "protect", False), "models", "`protect` (true -> false)"),
    (lambda r: setattr(r["models"], "retain_on_delete", False), "models", "`retainOnDelete` (true -> false)"),
    (lambda r: r["models"].inputs.update(forceDestroy=True), "models", "`forceDestroy` (false -> true"),
    (lambda r: r["images"].inputs.update(forceDelete=True), "images", "`forceDelete` (false -> true"),
    (lambda r: r["ml"].inputs.update(deletionProtection=False), "ml", "`deletionProtection` true -> false"),
    (lambda r: r["ml"].inputs.pop("deletionProtection"), "ml", "`deletionProtection` true -> not set"),
    (lambda r: r["gke"].inputs.update(deletionProtection=False), "gke", "`deletionProtection` not set -> false"),
    (lambda r: r["pd"].inputs.update(reclaimPolicy="Delete"), "pd", "reclaim policy `Retain` (-> \"Delete\""),
    (lambda r: r["pd"].inputs.pop("reclaimPolicy"), "pd", "reclaim policy `Retain` (-> Delete"),
    (lambda r: setattr(r["team-a"], "protect", False), "team-a", "`protect` (true -> false)"),
])
def test_each_lost_protection_is_a_finding_naming_the_resource_and_what_it_lost(mutate, name, what):
    found = _found(_changed(mutate))
    assert [(rule, n) for rule, n, _ in found] == [(PROTECTION_REMOVED, name)]
    assert what in found[0][2]


def test_protection_that_stays_or_is_unknown_is_no_finding():
    def keep(r):
        r["gke"].inputs["deletionProtection"] = True  # explicit true = the provider default
        r["ml"].inputs["deletionProtection"] = UNKNOWN  # judged at `pulumi up`
        r["models"].inputs.pop("forceDestroy")  # not set is false
        r["plain"].protect = True  # gaining protection is fine
    assert _found(_changed(keep)) == []


@pytest.mark.parametrize(("mutate", "name", "what"), [
    (lambda r: r["models"].inputs.update(bucket="acme-models-2"), "models", '`bucket` "acme-models" -> "acme-models-2"'),
    (lambda r: r["images"].inputs.update(name="other"), "images", '`name` "ml-serving" -> "other"'),
    (lambda r: r["gke"].inputs.update(location="us-central1"), "gke", '`location` "us-east4" -> "us-central1"'),
    (lambda r: r["team-a"].inputs.update(metadata={"name": "b"}), "team-a", '`metadata.name` "a" -> "b"'),
])
def test_a_physical_name_change_of_a_stateful_resource_is_a_replacement(mutate, name, what):
    found = _found(_changed(mutate))
    assert [(rule, n) for rule, n, _ in found] == [(STATEFUL_REPLACED, name)]
    assert what in found[0][2]


def test_a_stateful_resource_gone_from_the_plan_is_a_finding_unless_an_alias_keeps_it():
    base = _base()
    gone = _plan(*[r for r in copy.deepcopy(base).resources[1:] if r.name != "models"])
    assert [(f.rule, f.name, f.urn) for f in compare(base, gone).findings] == [
        (STATEFUL_REPLACED, "models", _urn(BUCKET, "models"))]
    # renamed, with an alias to the old name: the same resource
    renamed = copy.deepcopy(base)
    bucket = next(r for r in renamed.resources if r.name == "models")
    bucket.name, bucket.urn = "models-v2", _urn(BUCKET, "models-v2")
    bucket.aliases = [{"spec": {"name": "models", "parentUrn": ""}}]
    assert compare(base, renamed).findings == []
    bucket.aliases = []
    assert [f.rule for f in compare(base, renamed).findings] == [STATEFUL_REPLACED]


def test_an_unknown_name_is_not_compared():
    assert _found(_changed(lambda r: r["models"].inputs.update(bucket=UNKNOWN))) == []


def test_protection_inherited_by_children_is_counted_under_the_parent():
    component = PlannedResource(urn=COMPONENT, type="aiplatform:index:SecureBucket", name="models", custom=False,
                                parent=STACK, provider=None, protect=True, dependencies=[], inputs={})
    children = [_res("aws:s3/bucketPolicy:BucketPolicy", f"p{i}", protect=True, parent=COMPONENT) for i in range(2)]
    base = _plan(component, *children)
    after = copy.deepcopy(base)
    for r in after.resources:
        r.protect = False
    found = compare(base, after).findings
    assert [(f.rule, f.name) for f in found] == [(PROTECTION_REMOVED, "models")]
    assert "(and 2 child resources with it)" in found[0].message


def _report(plan: Plan) -> CheckReport:
    return CheckReport(project=plan.project, stack=plan.stack, mode=plan.mode, findings=[], rules=[], checked=[],
                       resources=plan.resources)


def test_findings_block_and_reach_every_report_format():
    after = _changed(lambda r: (setattr(r["models"], "protect", False), r["images"].inputs.update(name="other")))
    report = with_baseline(_report(after), _base(), after)
    assert report.exit_code == 1
    assert {f.rule for f in report.blocking} == {PROTECTION_REMOVED, STATEFUL_REPLACED}
    for fmt in Format:
        text = render(report, fmt)
        assert PROTECTION_REMOVED in text and STATEFUL_REPLACED in text, fmt
        assert "models" in text and "ml-serving" in text, fmt
    sarif = json.loads(render(report, Format.sarif))["runs"][0]
    assert {r["ruleId"] for r in sarif["results"]} == {PROTECTION_REMOVED, STATEFUL_REPLACED}
    assert all(r["level"] == "error" and "ruleIndex" in r for r in sarif["results"])
    junit = ET.fromstring(render(report, Format.junit))
    assert junit.get("failures") == "2"
    markdown = render(report, Format.markdown)
    assert "How to fix" in markdown and f"#{STATEFUL_REPLACED}" in markdown


def test_baseline_file_problems_are_errors_naming_the_file_and_every_problem(tmp_path: Path):
    plan = _base()
    cases = {"missing.json": None, "bad.json": "{", "list.json": json.dumps({**plan.to_dict(), "resources": [1]}),
             "nested.json": json.dumps({**plan.to_dict(), "resources": [{"urn": 1, "type": [], "name": "x",
                                                                          "custom": True, "inputs": []}]}),
             "version.json": json.dumps({**plan.to_dict(), "version": 99})}
    messages: dict[str, str] = {}
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        with pytest.raises(BaselineError) as info:
            load_baseline(path)
        assert str(info.value).startswith(str(path)), name  # one error, naming the file first
        messages[name] = str(info.value)
    # the plan reader names every problem with its path (one per line), as `check --plan` and `cost --baseline` do
    assert "resources[0]: a resource object (got int)" in messages["list.json"]
    assert {"resources[0].urn: must be str", "resources[0].type: must be str",
            "resources[0].inputs: must be dict"} <= {line.strip("- ").split(" (got")[0]
                                                      for line in messages["nested.json"].splitlines()}
    good = tmp_path / "good.json"
    good.write_text(plan.to_json())
    assert [r.urn for r in load_baseline(good).resources] == [r.urn for r in plan.resources]
    with pytest.raises(BaselineError, match="a plan of proj/prod, not of proj/staging"):
        load_baseline(good, _plan(stack="staging"))
    with pytest.raises(BaselineError, match="not of proj/staging"):
        with_baseline(_report(_plan(stack="staging")), plan, _plan(stack="staging"))


def test_principal_keys_depend_on_the_arn_alone_and_are_unique():
    admin = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PlatformAdmin_0123"
    ops = "arn:aws:iam::111122223333:role/Ops"
    other_ops = "arn:aws:iam::444455556666:role/team/Ops"
    assert principal_key(admin) == "AWSReservedSSO_PlatformAdmin_0123-111122223333"
    # two roles named Ops in two accounts: different keys, neither depending on the other being in the list
    assert (principal_key(ops), principal_key(other_ops)) == ("Ops-111122223333", "Ops-444455556666")
    assert principal_key("not-an-arn/x") != principal_key("other/x")  # no account: a hash of the ARN
