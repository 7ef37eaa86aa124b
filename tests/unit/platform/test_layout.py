"""The platform package's layout: a builder per cloud from a registry, no import cycle, a cloud-free
Kubernetes side, one spelling of component argument errors, and the hosted TeamNamespace's identities."""

from __future__ import annotations

import pulumi
import pytest
from conftest import ROOT

from aiplatform.components._base import ArgsChecker, arg_path
from aiplatform.components.aws.team_identity import AwsTeamIdentity
from aiplatform.components.gcp.team_identity import GcpTeamIdentity
from aiplatform.components.kubernetes import TeamNamespace
from aiplatform.components.kubernetes.team_namespace import TeamIdentity
from aiplatform.offline import PlanInputError
from aiplatform.platform.builder import BUILDERS, builder_for
from aiplatform.testing import plan_program

PACKAGE = ROOT / "aiplatform"


def test_no_module_of_the_platform_or_the_components_is_over_400_lines():
    modules = [*(PACKAGE / "platform").rglob("*.py"), *(PACKAGE / "components").rglob("*.py"), PACKAGE / "platform_ref.py"]
    assert [p.name for p in modules if len(p.read_text().splitlines()) > 400] == []


def test_the_registry_has_a_builder_per_cloud_and_refuses_others():
    assert set(BUILDERS) == {"aws", "gcp"}
    for cloud in BUILDERS:
        assert callable(builder_for(cloud))
    with pytest.raises(ValueError, match="no platform builder for cloud 'azure'"):
        builder_for("azure")


def test_argument_errors_are_spelt_as_the_caller_wrote_the_args():
    assert arg_path("systemNodes.instanceTypes[0]") == "system_nodes.instance_types[0]"
    assert arg_path("taints[0].key") == "taints[0].key"
    assert arg_path("labels['aiplatform.io/Pool']") == "labels['aiplatform.io/Pool']"
    check = ArgsChecker("aiplatform:index:X", "x")
    check.add("poolName", "required")
    with pytest.raises(pulumi.InputPropertiesError, match=r"- pool_name: required"):
        check.done()


def test_pool_errors_have_one_spelling_on_both_clouds():
    from aiplatform.components.aws import EksGpuNodePool
    from aiplatform.components.gcp import GkeGpuNodePool

    with pytest.raises(PlanInputError) as aws_error:
        plan_program(lambda: EksGpuNodePool("p", {"instance_types": ["g6.xlarge"], "min_size": 3, "max_size": 1}))
    with pytest.raises(PlanInputError) as gcp_error:
        plan_program(lambda: GkeGpuNodePool("p", {"machine_type": "g2-standard-4", "min_size": 3, "max_size": 1}))
    for caught in (aws_error, gcp_error):
        assert "- min_size: must be 0..max_size (3 > 1)" in str(caught.value)
    assert "- cluster_name: required" in str(aws_error.value)
    assert "- node_service_account: required" in str(gcp_error.value)


def test_cloud_identities_are_team_identities():
    assert isinstance(AwsTeamIdentity(cluster_name="c"), TeamIdentity)
    assert isinstance(GcpTeamIdentity(project="p"), TeamIdentity)


def test_team_namespace_creates_the_identity_it_is_given_as_its_children():
    plan = plan_program(lambda: TeamNamespace("t", {"team": "t", "gpus": 0, "members_group": "g",
                                                    "identity": GcpTeamIdentity(project="acme")}))
    account = plan.find("gcp:serviceaccount/account:Account")
    assert "aiplatform:index:TeamNamespace$aiplatform:index:WorkloadIdentity" in account.urn
    policy = next(r for r in plan.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                  if r.get("metadata")["name"] == "allow-cloud-apis")
    assert {"ipBlock": {"cidr": "169.254.169.254/32"}} in policy.get("spec")["egress"][1]["to"]
    with pytest.raises(PlanInputError, match="identity: a TeamIdentity from aiplatform.components.aws.team_identity"):
        plan_program(lambda: TeamNamespace("t", {"team": "t", "gpus": 0, "members_group": "g",
                                                 "identity": {"cloud": "gcp", "project": "acme"}}))


@pytest.mark.parametrize(("identity", "child"), [
    ({"cloud": "aws", "clusterName": "ml-dev", "memberRoleArns": ["arn:aws:iam::111122223333:role/search"]},
     "aws:eks/accessEntry:AccessEntry"),
    ({"cloud": "gcp", "project": "acme-ml"}, "gcp:serviceaccount/account:Account"),
])
def test_hosted_team_namespace_builds_the_identity_its_data_describes(identity, child):
    from pulumi.provider.experimental.component import ComponentProvider

    from aiplatform.components.package import HOSTED

    provider = ComponentProvider(HOSTED, "aiplatform")

    def program():
        provider.construct("search", "aiplatform:index:TeamNamespace",
                           {"team": "search", "gpus": 1, "membersGroup": "team-search", "identity": identity},
                           pulumi.ResourceOptions())

    plan = plan_program(program)
    made = plan.find(child)
    assert made.urn.split("::")[2].startswith("aiplatform:index:TeamNamespace$")


def test_every_registry_lists_the_same_clouds():
    """A cloud is added in all registries or in none (docs/architecture.md, "A cloud")."""
    from aiplatform.catalog.instances import CLOUDS as CATALOG_CLOUDS
    from aiplatform.catalog.prices import INSTANCE_SKU
    from aiplatform.config import CLOUDS as CONFIG_CLOUDS
    from aiplatform.cost.pricers import aws as _aws_pricers  # noqa: F401 - importing registers each cloud's
    from aiplatform.cost.pricing import CLUSTER_PRICING
    from aiplatform.platform.builder import BUILDERS

    expected = set(CONFIG_CLOUDS)
    assert set(BUILDERS) == expected
    assert set(CATALOG_CLOUDS) == expected
    assert set(INSTANCE_SKU) == expected
    assert set(CLUSTER_PRICING) == expected
