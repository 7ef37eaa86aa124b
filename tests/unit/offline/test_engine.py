"""The offline plan engine: URNs, recorded options, preview vs up, fixtures, errors."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from conftest import ROOT

from aiplatform.offline import UNKNOWN, PlanInputError, is_secret
from aiplatform.offline.project import SECRET_PLACEHOLDER, load_project, load_stack_config
from aiplatform.testing import plan_program


class Outer(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Outer", name, None, opts)
        self.inner = Inner(f"{name}-inner", pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


class Inner(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Inner", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", tags={"team": "t"}, opts=pulumi.ResourceOptions(parent=self, protect=True))
        self.register_outputs({})


def test_urns_carry_the_full_parent_type_chain_and_no_stack_type():
    plan = plan_program(lambda: Outer("o"), project="proj", stack="dev")
    urns = plan.urns()
    assert "urn:pulumi:dev::proj::test:index:Outer::o" in urns
    assert "urn:pulumi:dev::proj::test:index:Outer$test:index:Inner::o-inner" in urns
    assert "urn:pulumi:dev::proj::test:index:Outer$test:index:Inner$aws:s3/bucket:Bucket::o-inner-bucket" in urns
    assert "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev" in urns
    assert not any("Stack$" in u for u in urns)
    bucket = plan.find("aws:s3/bucket:Bucket")
    assert bucket.parent == "urn:pulumi:dev::proj::test:index:Outer$test:index:Inner::o-inner"
    assert bucket.protect is True and bucket.custom is True
    assert bucket.source is not None and bucket.source.uri.endswith("test_engine.py")


def test_preview_leaves_computed_values_unknown_and_up_fills_fixture_outputs():
    def program():
        role = aws.iam.Role("r", assume_role_policy="{}", tags={"team": "t"})
        aws.iam.RolePolicyAttachment("a", role=role.name, policy_arn=role.arn)
        pulumi.export("arn", role.arn)

    preview = plan_program(program)
    attach = preview.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attach.inputs["policyArn"] == UNKNOWN
    assert preview.outputs["arn"] == UNKNOWN
    role_urn = preview.find("aws:iam/role:Role").urn
    assert role_urn in attach.dependencies
    assert attach.property_dependencies["role"] == [role_urn]

    up = plan_program(program, mode="up")
    attach = up.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attach.inputs["policyArn"] == "arn:aws:iam::111122223333:role/r"
    assert up.outputs["arn"] == "arn:aws:iam::111122223333:role/r"


def test_explicit_provider_and_ignore_changes_are_recorded():
    def program():
        provider = aws.Provider("p", region="eu-west-1")
        aws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=provider, ignore_changes=["tags"]))

    plan = plan_program(program)
    bucket = plan.find("aws:s3/bucket:Bucket")
    assert bucket.provider == plan.find("pulumi:providers:aws").urn
    assert bucket.ignore_changes == ["tags"]
    assert plan.find("pulumi:providers:aws").inputs["region"] == "eu-west-1"


def test_unmocked_invoke_is_an_error_naming_the_token():
    def program():
        aws.get_caller_identity()

    with pytest.raises(PlanInputError, match="invoke aws:index/getCallerIdentity:getCallerIdentity has no fixture"):
        plan_program(program)

    fixtures = {"invokes": {"aws:index/getCallerIdentity:getCallerIdentity": {"accountId": "123456789012", "arn": "a", "id": "i", "userId": "u"}}}

    def exporting():
        pulumi.export("account", aws.get_caller_identity().account_id)

    plan = plan_program(exporting, fixtures=fixtures)
    assert plan.outputs["account"] == "123456789012"


def test_stack_references_come_from_fixtures():
    def program():
        ref = pulumi.StackReference("acme/aiplatform/aws-prod")
        pulumi.export("cluster", ref.get_output("clusterName"))

    with pytest.raises(PlanInputError, match="stack reference 'acme/aiplatform/aws-prod' has no fixture"):
        plan_program(program)
    plan = plan_program(program, fixtures={"stack_references": {"acme/aiplatform/aws-prod": {"clusterName": "ml-prod"}}})
    assert plan.outputs["cluster"] == "ml-prod"


def test_secrets_stay_wrapped_in_the_plan():
    def program():
        pulumi.export("token", pulumi.Output.secret("s3cr3t"))

    plan = plan_program(program)
    assert is_secret(plan.outputs["token"])


def test_project_and_stack_files(tmp_path: Path):
    with pytest.raises(PlanInputError, match="no Pulumi.yaml"):
        load_project(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: nodejs\n")
    with pytest.raises(PlanInputError, match="only python programs"):
        load_project(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text(
        "name: p\nruntime: {name: python}\nconfig:\n  flavour: {default: vanilla}\n  aws:region: {value: us-west-2}\n"
    )
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  p:count: 3\n  p:on: true\n  p:obj: {a: [1, 2]}\n  p:password: {secure: v1:abc}\n"
    )
    spec = load_project(tmp_path)
    config, secrets = load_stack_config(spec, "dev")
    assert config == {
        "p:flavour": "vanilla",
        "aws:region": "us-west-2",
        "p:count": "3",
        "p:on": "true",
        "p:obj": '{"a": [1, 2]}',
        "p:password": SECRET_PLACEHOLDER,
    }
    assert secrets == ["p:password"]
    with pytest.raises(PlanInputError, match=r"stack 'prod': no Pulumi.prod.yaml \(stacks here: dev\)"):
        load_stack_config(spec, "prod")


def test_the_testing_module_exports_the_errors_its_docs_name():
    """docs/testing.md tells users to expect PlanInputError and ProgramError from aiplatform.testing."""
    import aiplatform.testing as testing
    from aiplatform.offline.errors import PlanInputError as Input
    from aiplatform.offline.errors import ProgramError as Program
    from aiplatform.problems import UserError

    assert testing.PlanInputError is Input and testing.ProgramError is Program
    assert issubclass(testing.PlanInputError, UserError)
    doc = (ROOT / "docs" / "testing.md").read_text()
    assert "from aiplatform.testing import PlanInputError" in doc


def _library_box():
    return aws.ec2.Instance("box", instance_type="g6.xlarge", ami="ami-1",
                            tags={"team": "t", "cost-center": "c", "environment": "dev"})


def test_a_resource_without_a_provider_gets_the_engines_default_provider_issue16_point9():
    """The usual library program sets only `aws:region`: the engine's default provider carries it, and the plan
    records that provider as the engine would create it (it used to be invisible offline)."""
    plan = plan_program(_library_box, config={"aws:region": "us-west-2", "aws:secretKey": "s3cr3t"},
                        secret_keys=["aws:secretKey"])
    (provider,) = [r for r in plan.resources if r.is_provider]
    assert provider.urn.startswith("urn:pulumi:test::test::pulumi:providers:aws::default_7_")
    assert provider.name == "default_" + provider.inputs["version"].replace(".", "_")
    assert provider.inputs["region"] == "us-west-2"
    assert is_secret(provider.inputs["secretKey"])
    assert plan.find("aws:ec2/instance:Instance").provider == provider.urn
    assert plan.find("pulumi:pulumi:Stack").provider is None


def test_an_explicit_provider_is_kept_and_no_default_is_made():
    def program():
        p = aws.Provider("eu", region="eu-west-1")
        aws.ec2.Instance("box", instance_type="g6.xlarge", ami="ami-1", opts=pulumi.ResourceOptions(provider=p))

    plan = plan_program(program, config={"aws:region": "us-west-2"})
    assert [r.name for r in plan.resources if r.is_provider] == ["eu"]
    assert plan.find("aws:ec2/instance:Instance").provider.endswith("pulumi:providers:aws::eu")


def test_a_library_program_is_priced_and_judged_in_its_default_providers_region():
    from aiplatform.check.runner import check_plan
    from aiplatform.cost.plan import estimate_plan

    plan = plan_program(_library_box, config={"aws:region": "us-west-2"})
    estimate = estimate_plan(plan)
    assert estimate.region == "us-west-2"
    (line,) = [i for i in estimate.items if i.name == "box"]
    assert line.status == "priced" and line.monthly.expected > 0
    report = check_plan(plan, {"aip-compliance-region-allowed": {"allowedRegions": ["us-east-1"]}})
    hits = [f for f in report.findings if f.rule == "aip-compliance-region-allowed"]
    assert hits and all("us-west-2" in f.message for f in hits)
