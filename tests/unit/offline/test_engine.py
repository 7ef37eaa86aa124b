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
