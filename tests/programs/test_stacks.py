"""The reference stacks, planned through the real program: content, tags, protection, URN snapshots."""

from __future__ import annotations

import os

import kubernetes_validate
import pytest
from conftest import ALL_STACKS, REFERENCE_STACKS, ROOT

from aiplatform.offline import UNKNOWN
from aiplatform.testing import kubernetes_manifests, untagged

SNAPSHOTS = ROOT / "tests" / "snapshots"

PLATFORM = "aiplatform:index:AiPlatform"


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_everything_lives_under_the_platform(plans, stack):
    plan = plans.preview[stack]
    platform = plan.find(PLATFORM)
    under = {r.urn for r in plan.descendants(platform.urn)}
    rest = [r.urn for r in plan.resources if r.urn not in under and r.urn != platform.urn and r.type != "pulumi:pulumi:Stack"]
    assert rest == []
    assert all(PLATFORM in r.urn for r in plan.resources if r.type != "pulumi:pulumi:Stack")


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_the_plan_has_the_platform_pieces(plans, stack):
    plan = plans.preview[stack]
    types = {r.type for r in plan.resources}
    for expected in (
        "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway", "aws:eks/cluster:Cluster",
        "aws:kms/key:Key", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:eks/addon:Addon",
        "aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate", "kubernetes:helm.sh/v3:Release",
        "aiplatform:index:EksGpuNodePool", "aiplatform:index:EksCluster", "aiplatform:index:Network",
    ):
        assert expected in types, expected
    eks = plan.find("aws:eks/cluster:Cluster")
    assert eks.get("encryptionConfig.resources") == ["secrets"]
    assert len(eks.get("enabledClusterLogTypes")) == 5
    for template in plan.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        assert template.get("metadataOptions.httpTokens") == "required"
        assert all(d["ebs"]["encrypted"] == "true" for d in template.get("blockDeviceMappings"))
    charts = {r.get("chart"): r for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    assert {"nvidia-device-plugin", "cluster-autoscaler", "oci://docker.io/envoyproxy/gateway-helm"} <= set(charts)
    assert all(r.get("version") for r in charts.values())
    tolerations = charts["nvidia-device-plugin"].get("values.tolerations")
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in tolerations


def test_dev_pools_are_spot_and_scale_to_zero(plans):
    plan = plans.preview["aws-dev"]
    pools = [g for g in plan.of_type("aws:eks/nodeGroup:NodeGroup") if g.get("amiType") != "AL2023_x86_64_STANDARD"]
    assert len(pools) == 2
    for group in pools:
        assert group.get("capacityType") == "SPOT"
        assert group.get("scalingConfig.minSize") == 0
        assert group.get("taints")[0]["key"] == "nvidia.com/gpu"
    assert len(plan.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert plan.outputs["gpuPools"]["training-a10g"]["maxAccelerators"] == 8  # 2 x g5.12xlarge (4 A10G)


def test_prod_is_on_demand_across_zones_with_nat_per_zone(plans):
    plan = plans.preview["aws-prod"]
    pools = [g for g in plan.of_type("aws:eks/nodeGroup:NodeGroup") if g.get("amiType") != "AL2023_x86_64_STANDARD"]
    assert {g.get("capacityType") for g in pools} == {"ON_DEMAND"}
    assert len(plan.of_type("aws:ec2/natGateway:NatGateway")) == 3
    assert plan.find("aws:eks/cluster:Cluster").get("vpcConfig.endpointPublicAccess") is False
    assert plan.outputs["gpuPools"]["training-h100"]["maxAccelerators"] == 32


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_every_taggable_resource_carries_the_cost_tags(plans, stack):
    platform_key = "aiplatform-platform" if stack.startswith("gcp") else "aiplatform:platform"
    assert untagged(plans.preview[stack], ("team", "cost-center", "environment", platform_key)) == []


#: What holds data: losing one of these to a refactor loses models, images, vectors or keys.
STATEFUL_TYPES = {
    "aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:ecr/repository:Repository",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup", "aws:opensearch/serverlessCollection:ServerlessCollection",
}


def _stateful(plan):
    found = [r for r in plan.resources if r.type in STATEFUL_TYPES]
    found += [r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r.get("chart") == "qdrant"]
    return found


def test_stateful_resources_are_protected_in_prod_only(plans):
    prod, dev = _stateful(plans.preview["aws-prod"]), _stateful(plans.preview["aws-dev"])
    # Both stacks hold keys, buckets, groups and the repository; prod's vector store is a collection, dev's Qdrant.
    assert {r.type for r in prod} == STATEFUL_TYPES
    assert {r.type for r in dev} == STATEFUL_TYPES - {"aws:opensearch/serverlessCollection:ServerlessCollection"} | {
        "kubernetes:helm.sh/v3:Release"}
    assert [r.urn for r in prod if r.protect is not True] == []
    assert [r.urn for r in dev if r.protect is not False] == []
    assert plans.preview["aws-prod"].find("aws:eks/cluster:Cluster").get("deletionProtection") is True
    assert plans.preview["aws-dev"].find("aws:eks/cluster:Cluster").get("deletionProtection") is False
    # Buckets and repositories are never force-destroyed, whatever the environment.
    for plan in plans.preview.of(REFERENCE_STACKS).values():
        assert all(b.get("forceDestroy") is False for b in plan.of_type("aws:s3/bucket:Bucket"))
        assert all(r.get("forceDelete") is False for r in plan.of_type("aws:ecr/repository:Repository"))
    # Qdrant's volumes outlive their claims in prod (reclaimPolicy Retain); dev cleans up.
    assert plans.preview["aws-dev"].find("kubernetes:storage.k8s.io/v1:StorageClass").get("reclaimPolicy") == "Delete"


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_outputs_and_secret_kubeconfig(plans, stack):
    outputs = plans.preview[stack].outputs
    assert outputs["clusterName"] == ("ml-dev" if stack == "aws-dev" else "ml-prod")
    assert outputs["kubeconfig"]["value"] == UNKNOWN and len(outputs["kubeconfig"]) == 2  # a wrapped secret
    for key in ("clusterEndpoint", "oidcProviderArn", "vpcId"):
        assert key in outputs


@pytest.mark.parametrize("stack", ALL_STACKS)
@pytest.mark.parametrize("mode", ["preview", "up"])
def test_kubernetes_objects_match_the_official_schema(stack, mode, plans):
    plan = plans.preview[stack] if mode == "preview" else plans.up[stack]
    manifests = kubernetes_manifests(plan)
    assert {m["kind"] for _, m in manifests} >= {"Namespace", "ServiceAccount"}
    if stack.startswith("gcp"):
        version = plan.find("gcp:container/cluster:Cluster").get("minMasterVersion")
    else:
        version = plan.find("aws:eks/cluster:Cluster").get("version")
    for resource, manifest in manifests:
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{resource.urn}: {exc.message}")


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_urn_snapshot(plans, stack):
    """A changed URN is a replacement in a real `pulumi up`: change the snapshot on purpose, with aliases.

    Refresh after a deliberate change: AIPLATFORM_UPDATE_SNAPSHOTS=1 pytest tests/test_stacks.py
    """
    path = SNAPSHOTS / f"{stack}.urns"
    urns = plans.preview[stack].urns()
    if os.environ.get("AIPLATFORM_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(urns) + "\n")
    expected = path.read_text().split()
    added = sorted(set(urns) - set(expected))
    removed = sorted(set(expected) - set(urns))
    assert not added and not removed, (
        f"URNs of {stack} changed (a real `pulumi up` would replace these):\n"
        + "".join(f"  + {u}\n" for u in added) + "".join(f"  - {u}\n" for u in removed)
    )
