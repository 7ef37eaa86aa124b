"""Data safety on the reference stacks: what prod protects, `check --baseline` against the base branch's plan,
and access entries that stay with their principal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, stack_platform

from aiplatform.check.baseline import PROTECTION_REMOVED, STATEFUL_REPLACED, alias_urns, compare, with_baseline
from aiplatform.check.runner import check_plan
from aiplatform.testing import plan_project

NAMESPACE = "kubernetes:core/v1:Namespace"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"


def _mutated(stack: str, mutate):
    config = stack_platform(stack)
    mutate(config)
    return plan_project(ROOT, stack, config_overrides={"aiplatform:platform": config})


def _staging(config):
    config["environment"] = "staging"


@pytest.mark.parametrize(("stack", "dev"), [("aws-prod", "aws-dev"), ("gcp-prod", "gcp-dev")])
def test_prod_team_namespaces_are_protected_and_retained_dev_ones_are_not(plans, stack, dev):
    for name, protected in ((stack, True), (dev, False)):
        teams = [r for r in plans.preview[name].of_type(NAMESPACE) if "-team-" in r.name]
        assert len(teams) == 2, name
        assert {(r.protect, r.retain_on_delete) for r in teams} == {(protected, protected)}, name


def test_prod_audit_log_group_is_protected_and_retained_dev_one_is_not(plans):
    prod = plans.preview["aws-prod"].find(LOG_GROUP)
    dev = plans.preview["aws-dev"].find(LOG_GROUP)
    assert prod.get("name") == "/aws/eks/ml-prod/cluster"
    assert (prod.protect, prod.retain_on_delete) == (True, True)
    assert (dev.protect, dev.retain_on_delete) == (False, False)


def test_prod_team_identities_are_protected(plans):
    roles = [r for r in plans.preview["aws-prod"].of_type("aws:iam/role:Role") if "-team-" in r.name]
    accounts = [r for r in plans.preview["gcp-prod"].of_type("gcp:serviceaccount/account:Account")
                if "-team-" in r.name]
    assert len(roles) == len(accounts) == 2 and all(r.protect for r in roles + accounts)
    assert not any(r.protect for r in plans.preview["aws-dev"].of_type("aws:iam/role:Role"))


RETAINED = {"aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:ecr/repository:Repository",
            "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
            "aws:opensearch/serverlessCollection:ServerlessCollection", "gcp:kms/cryptoKey:CryptoKey",
            "gcp:storage/bucket:Bucket", "gcp:artifactregistry/repository:Repository"}


@pytest.mark.parametrize(("stack", "dev"), [("aws-prod", "aws-dev"), ("gcp-prod", "gcp-dev")])
def test_prod_data_holders_are_retained_on_delete_dev_ones_are_not(plans, stack, dev):
    prod_found = [r for r in plans.preview[stack].resources if r.type in RETAINED]
    dev_found = [r for r in plans.preview[dev].resources if r.type in RETAINED]
    assert len(prod_found) >= 4 and dev_found
    assert [r.urn for r in prod_found if not (r.protect and r.retain_on_delete)] == []
    assert [r.urn for r in dev_found if r.protect or r.retain_on_delete] == []
    # clusters are protected, never retained (a retained cluster keeps running and billing)
    cluster = next(r for r in plans.preview[stack].resources if r.type.endswith("/cluster:Cluster"))
    assert (cluster.protect, cluster.retain_on_delete, cluster.get("deletionProtection")) == (True, False, True)


# The resources that must report lost protection when prod becomes staging (name, type).
AWS_PROTECTED = {("ml-prod-models", "aws:s3/bucket:Bucket"), ("ml-prod-data", "aws:kms/key:Key"),
                 ("ml-prod-secrets", "aws:kms/key:Key"), ("ml-prod", "aws:eks/cluster:Cluster"),
                 ("ml-prod-control-plane", LOG_GROUP), ("ml-prod", "aws:ecr/repository:Repository"),
                 ("ml-prod", "aws:opensearch/serverlessCollection:ServerlessCollection"),
                 ("ml-prod-team-search", NAMESPACE), ("ml-prod-team-assistants", NAMESPACE),
                 ("ml-prod-team-search", "aiplatform:index:WorkloadRole")}
GCP_PROTECTED = {("ml-prod-models", "gcp:storage/bucket:Bucket"), ("ml-prod-keys-data", "gcp:kms/cryptoKey:CryptoKey"),
                 ("ml-prod", "gcp:container/cluster:Cluster"), ("ml-prod", "kubernetes:helm.sh/v3:Release"),
                 ("ml-prod", "kubernetes:storage.k8s.io/v1:StorageClass"),
                 ("ml-prod-images", "gcp:artifactregistry/repository:Repository"),
                 ("ml-prod-team-search", NAMESPACE), ("ml-prod-team-assistants", NAMESPACE)}


@pytest.mark.parametrize(("stack", "expected"), [("aws-prod", AWS_PROTECTED), ("gcp-prod", GCP_PROTECTED)])
def test_prod_to_staging_against_the_base_plan_fails_protection_removed(plans, stack, expected):
    baseline = plans.preview[stack]
    after = _mutated(stack, _staging)
    report = with_baseline(check_plan(after), baseline, after)
    lost = {(f.name, f.type): f.message for f in report.blocking if f.rule == PROTECTION_REMOVED}
    assert expected <= set(lost), sorted(expected - set(lost))
    bucket = next(t for n, t in expected if n == "ml-prod-models")
    assert "`protect` (true -> false), `retainOnDelete` (true -> false)" in lost[("ml-prod-models", bucket)]
    cluster = next(t for n, t in expected if t.endswith("/cluster:Cluster"))
    assert "`deletionProtection` true -> false" in lost[("ml-prod", cluster)]
    if stack == "gcp-prod":
        assert "reclaim policy `Retain`" in lost[("ml-prod", "kubernetes:storage.k8s.io/v1:StorageClass")]
    assert report.exit_code == 1
    # the same stack, unchanged, against its own plan: nothing
    assert compare(baseline, plans.preview[stack]).findings == []


@pytest.mark.parametrize(("stack", "mutate", "name", "type_", "moved"), [
    ("gcp-prod", lambda c: c["model_registry"].update(bucket_name="ml-prod-models-4411"), "ml-prod-models",
     "gcp:storage/bucket:Bucket", '"ml-prod-models-4410" -> "ml-prod-models-4411"'),
    ("aws-prod", lambda c: c["model_registry"].update(repository_name="ml-prod-images"), "ml-prod",
     "aws:ecr/repository:Repository", '"ml-prod-serving" -> "ml-prod-images"'),
    ("aws-prod", lambda c: c["vector_store"].update(collection_name="ml-prod-vectors-2"), "ml-prod",
     "aws:opensearch/serverlessCollection:ServerlessCollection", '-> "ml-prod-vectors-2"'),
])
def test_a_renamed_bucket_registry_or_collection_fails_stateful_replaced(plans, stack, mutate, name, type_, moved):
    after = _mutated(stack, mutate)
    found = [f for f in compare(plans.preview[stack], after).findings if f.rule == STATEFUL_REPLACED]
    assert [(f.name, f.type) for f in found] == [(name, type_)]
    assert moved in found[0].message


def test_a_removed_team_fails_both_rules(plans):
    after = _mutated("aws-prod", lambda c: c.update(teams=c["teams"][:1]))
    found = {(f.rule, f.name, f.type) for f in compare(plans.preview["aws-prod"], after).findings}
    assert (STATEFUL_REPLACED, "ml-prod-team-assistants", NAMESPACE) in found


NEW_ADMIN = "arn:aws:iam::111122223333:role/BreakGlassAdmin"


def test_access_entries_stay_with_their_principal_when_an_arn_is_inserted_at_the_front(plans):
    before = plans.preview["aws-prod"]
    after = _mutated("aws-prod", lambda c: c["cluster"]["admin_role_arns"].insert(0, NEW_ADMIN))
    old = {r.urn: r.get("principalArn") for r in before.of_type(ACCESS_ENTRY)}
    new = {r.urn: r.get("principalArn") for r in after.of_type(ACCESS_ENTRY)}
    assert len(new) == len(old) + 1
    assert {urn: new[urn] for urn in old} == old  # every entry kept its URN and its principal
    assert NEW_ADMIN in set(new.values()) - set(old.values())
    assert compare(before, after).findings == []


def test_access_entries_alias_the_index_based_urns_they_had(plans):
    """The URNs of main before this change: a real `pulumi up` finds them through the aliases, no replacement."""
    plan = plans.preview["aws-prod"]
    prefix = "urn:pulumi:aws-prod::aiplatform::aiplatform:index:AiPlatform$"
    expected = {
        ACCESS_ENTRY: {prefix + f"aiplatform:index:EksCluster${ACCESS_ENTRY}::ml-prod-admin-0",
                       prefix + f"aiplatform:index:TeamNamespace${ACCESS_ENTRY}::ml-prod-team-search-member-0"},
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
            prefix + "aiplatform:index:EksCluster$aws:eks/accessPolicyAssociation:AccessPolicyAssociation::"
                     "ml-prod-admin-0"},
    }
    index = plan.by_urn()
    for type_, urns in expected.items():
        aliased = {urn for r in plan.of_type(type_) for urn in alias_urns(r, index)}
        assert aliased == urns, type_


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aiplatform.cli", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)


def test_check_baseline_on_the_command_line(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (project / "stacks").mkdir()
    for name in ("__main__.py", "Pulumi.aws-prod.yaml"):
        (project / "stacks" / name).write_text((ROOT / "stacks" / name).read_text())
    base = tmp_path / "base.json"
    done = _cli("plan", "-s", "aws-prod", "--format", "json", "-o", str(base), cwd=project)
    assert done.returncode == 0, done.stderr

    same = _cli("check", "-s", "aws-prod", "--baseline", str(base), cwd=project)
    assert same.returncode == 0, same.stdout + same.stderr

    stack_file = project / "stacks" / "Pulumi.aws-prod.yaml"
    data = yaml.safe_load(stack_file.read_text())
    data["config"]["aiplatform:platform"]["environment"] = "staging"
    stack_file.write_text(yaml.safe_dump(data))
    failed = _cli("check", "-s", "aws-prod", "--baseline", str(base), "--format", "markdown", cwd=project)
    assert failed.returncode == 1, failed.stderr
    assert f"[`{PROTECTION_REMOVED}`]" in failed.stdout and "`ml-prod-models` (aws:s3/bucket:Bucket)" in failed.stdout

    for bad, message in ((tmp_path / "missing.json", "no such baseline file"), (tmp_path / "bad.json", "not valid JSON")):
        if bad.name == "bad.json":
            bad.write_text("{")
        done = _cli("check", "-s", "aws-prod", "--baseline", str(bad), cwd=project)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    other = _cli("check", "-s", "aws-dev", "--baseline", str(base), cwd=ROOT)
    assert other.returncode == 2 and "not of aiplatform/aws-dev" in other.stderr, other.stderr


def test_the_ci_example_plans_the_base_branch_and_passes_it_as_baseline():
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "guardrails.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    plan = next(r for r in runs if "aiplatform.cli plan" in r)
    assert "--format json" in plan and "base-plan.json" in plan and "PYTHONPATH" in plan
    check = next(r for r in runs if "aiplatform check" in r)
    assert 'baseline="--baseline base-plan.json"' in check and check.count("$baseline") == 2
