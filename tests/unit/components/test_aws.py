"""AWS components under the recording monitor: the engine-shaped inputs of their children."""

from __future__ import annotations

import json

import pulumi
import pytest

from aiplatform.components.aws import ClusterAutoscaler, EksCluster, EksGpuNodePool, Network
from aiplatform.components.aws.cluster_autoscaler import autoscaler_policy
from aiplatform.components.aws.network import plan_subnets
from aiplatform.offline import UNKNOWN, PlanInputError
from aiplatform.testing import plan_program

TAGS = {"team": "ml", "cost-center": "cc-1", "environment": "dev"}


def pool(name="gpu", **overrides):
    args = {
        "cluster_name": "c",
        "node_role_arn": "arn:aws:iam::111122223333:role/node",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "instance_types": ["g6.xlarge"],
        "max_size": 3,
        "tags": TAGS,
    }
    args.update(overrides)
    return lambda: EksGpuNodePool(name, args)


def test_gpu_pool_node_group_and_launch_template():
    plan = plan_program(pool(capacity_type="spot", disk_size_gib=300, labels={"workload": "inference"}))
    group = plan.find("aws:eks/nodeGroup:NodeGroup")
    assert group.get("amiType") == "AL2023_x86_64_NVIDIA"
    assert group.get("capacityType") == "SPOT"
    assert group.get("instanceTypes") == ["g6.xlarge"]
    assert group.get("scalingConfig") == {"minSize": 0, "maxSize": 3, "desiredSize": 0}
    assert group.get("taints") == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    assert group.get("labels") == {
        "aiplatform.io/pool": "gpu",
        "aiplatform.io/node-role": "accelerator",
        "aiplatform.io/accelerator-vendor": "nvidia",
        "aiplatform.io/capacity-type": "spot",
        "aiplatform.io/ami-family": "al2023",
        "aiplatform.io/accelerator": "L4",
        "aiplatform.io/accelerator-count": "1",
        "workload": "inference",
    }
    assert group.ignore_changes == ["scalingConfig.desiredSize"]
    assert group.get("nodeRepairConfig.enabled") is True
    assert group.get("tags") == TAGS
    assert "diskSize" not in group.inputs  # the launch template owns the volume

    template = plan.find("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.get("metadataOptions") == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
    assert template.get("blockDeviceMappings") == [{
        "deviceName": "/dev/xvda",
        "ebs": {"volumeSize": 300, "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true"},
    }]
    assert [s["resourceType"] for s in template.get("tagSpecifications")] == ["instance", "volume", "network-interface"]
    assert group.get("launchTemplate.id") == UNKNOWN  # known only once the template exists


def test_gpu_pool_scale_from_zero_tags_on_the_autoscaling_group():
    plan = plan_program(pool(instance_types=["g5.12xlarge"], min_size=0, max_size=2))
    tags = {t.get("tag.key"): t.get("tag.value") for t in plan.of_type("aws:autoscaling/tag:Tag")}
    prefix = "k8s.io/cluster-autoscaler/node-template"
    assert tags[f"{prefix}/resources/nvidia.com/gpu"] == "4"
    assert tags[f"{prefix}/taint/nvidia.com/gpu"] == "true:NoSchedule"
    assert tags[f"{prefix}/label/aiplatform.io/accelerator"] == "A10G"
    assert tags[f"{prefix}/label/aiplatform.io/pool"] == "gpu"
    assert all(t.get("tag.propagateAtLaunch") is False for t in plan.of_type("aws:autoscaling/tag:Tag"))
    assert all(t.get("autoscalingGroupName") == UNKNOWN for t in plan.of_type("aws:autoscaling/tag:Tag"))


def test_up_mode_resolves_the_autoscaling_group_name():
    plan = plan_program(pool(), mode="up")
    names = {t.get("autoscalingGroupName") for t in plan.of_type("aws:autoscaling/tag:Tag")}
    assert names == {"eks-gpu-asg"}


def test_neuron_and_bottlerocket_and_capacity_blocks():
    neuron = plan_program(pool(instance_types=["inf2.24xlarge"]))
    group = neuron.find("aws:eks/nodeGroup:NodeGroup")
    assert group.get("amiType") == "AL2023_x86_64_NEURON"
    assert group.get("taints")[0]["key"] == "aws.amazon.com/neuron"

    rocket = plan_program(pool(ami_type="BOTTLEROCKET_x86_64_NVIDIA", disk_size_gib=400))
    devices = rocket.find("aws:ec2/launchTemplate:LaunchTemplate").get("blockDeviceMappings")
    assert [(d["deviceName"], d["ebs"]["volumeSize"]) for d in devices] == [("/dev/xvda", 4), ("/dev/xvdb", 400)]

    block = plan_program(pool(instance_types=["p5.48xlarge"], capacity_type="capacity-block",
                              capacity_reservation_id="cr-0123456789abcdef0"))
    template = block.find("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.get("instanceMarketOptions.marketType") == "capacity-block"
    assert template.get("capacityReservationSpecification.capacityReservationTarget.capacityReservationId") == "cr-0123456789abcdef0"
    assert block.find("aws:eks/nodeGroup:NodeGroup").get("capacityType") == "CAPACITY_BLOCK"


def test_gpu_pool_rejects_bad_args_all_at_once():
    with pytest.raises(PlanInputError) as info:
        plan_program(pool(instance_types=["m7i.large", "nope.big"], min_size=5, max_size=2, capacity_type="cheap"))
    message = str(info.value)
    assert "aiplatform:index:EksGpuNodePool 'gpu': invalid args (4)" in message
    assert "instance_types[0]: instance type without an accelerator: 'm7i.large'" in message
    assert "instance_types[1]: unknown instance type 'nope.big'" in message
    assert "capacity_type: must be one of on-demand, spot, capacity-block" in message
    assert "min_size: must be 0..max_size (5 > 2)" in message


def test_mixed_accelerator_models_in_one_pool_are_refused_issue16_point7():
    """[g6.2xlarge, g6e.2xlarge] (L4 + L40S) used to plan without an accelerator label: every pod selecting
    either model stayed Pending. One pool carries one model, in the component as in the config."""
    with pytest.raises(PlanInputError) as info:
        plan_program(pool(instance_types=["g6.2xlarge", "g6e.2xlarge"]))
    assert "instance_types: mixes accelerator models L4 (g6.2xlarge), L40S (g6e.2xlarge)" in str(info.value)
    group = plan_program(pool(instance_types=["g6.xlarge", "g6.2xlarge"])).find("aws:eks/nodeGroup:NodeGroup")
    assert group.get("labels")["aiplatform.io/accelerator"] == "L4"


def test_network_creates_private_and_public_subnets_with_nat_per_zone():
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    plan = plan_program(lambda: Network("net", {"cidr": "10.0.0.0/16", "availability_zones": zones,
                                                "nat_gateways": "per-az", "tags": TAGS}))
    subnets = plan.of_type("aws:ec2/subnet:Subnet")
    private = [s for s in subnets if s.get("tags", {}).get("kubernetes.io/role/internal-elb") == "1"]
    public = [s for s in subnets if s.get("tags", {}).get("kubernetes.io/role/elb") == "1"]
    assert [s.get("availabilityZone") for s in private] == zones == [s.get("availabilityZone") for s in public]
    assert [s.get("cidrBlock") for s in public] == ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"]
    assert [s.get("cidrBlock") for s in private] == ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]
    assert all(s.get("mapPublicIpOnLaunch") is False for s in subnets)
    assert len(plan.of_type("aws:ec2/natGateway:NatGateway")) == 3
    default_routes = [r for r in plan.of_type("aws:ec2/route:Route") if r.get("natGatewayId")]
    assert len(default_routes) == 3
    assert plan.find("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").get("ingress") is None


def test_a_new_vpc_reaches_s3_through_a_gateway_endpoint_on_its_private_route_tables_issue16():
    """Weights and image layers reach S3 without NAT data processing; an adopted VPC is left as it is."""
    zones = ["us-west-2a", "us-west-2b"]
    plan = plan_program(lambda: Network("net", {"cidr": "10.0.0.0/16", "availability_zones": zones, "tags": TAGS}))
    endpoint = plan.find("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.get("serviceName") == "com.amazonaws.us-west-2.s3"  # the zones' region by default
    assert endpoint.get("vpcEndpointType") == "Gateway"
    private_tables = {r.urn for r in plan.of_type("aws:ec2/routeTable:RouteTable") if "private" in r.name}
    assert len(private_tables) == 2 and set(endpoint.property_dependencies["routeTableIds"]) == private_tables
    off = plan_program(lambda: Network("net", {"cidr": "10.0.0.0/16", "availability_zones": zones,
                                               "s3_gateway_endpoint": False}))
    assert off.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") == []
    adopted = plan_program(lambda: Network("net", {"vpc_id": "vpc-1", "private_subnet_ids": ["a", "b"]}))
    assert adopted.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") == []
    with pytest.raises(PlanInputError, match="region: give the region of the zones"):
        plan_program(lambda: Network("net", {"cidr": "10.0.0.0/16", "availability_zones": ["a", "b"]}))


def test_network_single_nat_by_default():
    zones = ["us-east-1a", "us-east-1b"]  # real zone names: the S3 endpoint takes the zones' region
    plan = plan_program(lambda: Network("net", {"cidr": "10.0.0.0/20", "availability_zones": zones}))
    assert len(plan.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert len(plan.of_type("aws:ec2/eip:Eip")) == 1


def test_network_adopts_an_existing_vpc_without_creating_anything():
    def program():
        net = Network("net", {"vpc_id": "vpc-0123456789abcdef0", "private_subnet_ids": ["subnet-1", "subnet-2"]})
        pulumi.export("subnets", net.private_subnet_ids)

    plan = plan_program(program)
    assert [r for r in plan.resources if r.custom] == []
    assert plan.outputs["subnets"] == ["subnet-1", "subnet-2"]


def test_network_rejects_both_sources():
    with pytest.raises(PlanInputError, match="cidr: give cidr or vpc_id, not both"):
        plan_program(lambda: Network("net", {"cidr": "10.0.0.0/16", "availability_zones": ["a", "b"], "vpc_id": "vpc-1"}))


@pytest.mark.parametrize("cidr,zones", [("10.0.0.0/16", 2), ("10.0.0.0/20", 6), ("172.16.0.0/18", 3)])
def test_subnet_plan_is_disjoint_and_inside_the_vpc(cidr, zones):
    import ipaddress

    private, public = plan_subnets(cidr, zones)
    nets = [ipaddress.ip_network(n) for n in private + public]
    assert len(nets) == 2 * zones
    assert all(n.subnet_of(ipaddress.ip_network(cidr)) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])
    assert all(n.prefixlen <= 28 for n in nets)  # AWS's smallest subnet


def cluster(**overrides):
    args = {
        "cluster_name": "ml",
        "region": "us-east-1",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "tags": TAGS,
    }
    args.update(overrides)
    return lambda: EksCluster("ml", args)


def test_eks_cluster_is_private_encrypted_and_fully_logged():
    plan = plan_program(cluster())
    eks = plan.find("aws:eks/cluster:Cluster")
    assert eks.get("vpcConfig.endpointPrivateAccess") is True
    assert eks.get("vpcConfig.endpointPublicAccess") is False
    assert eks.get("vpcConfig.publicAccessCidrs") is None
    assert eks.get("encryptionConfig.resources") == ["secrets"]
    assert eks.get("encryptionConfig.provider.keyArn") == UNKNOWN
    assert sorted(eks.get("enabledClusterLogTypes")) == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert eks.get("accessConfig.authenticationMode") == "API"
    assert eks.get("bootstrapSelfManagedAddons") is False
    assert eks.get("upgradePolicy.supportType") == "STANDARD"
    key = plan.find("aws:kms/key:Key")
    assert key.get("enableKeyRotation") is True and key.protect is False
    assert plan.find("aws:cloudwatch/logGroup:LogGroup").get("name") == "/aws/eks/ml/cluster"
    addons = {a.get("addonName"): a for a in plan.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"}
    assert all(a.get("addonVersion").startswith("v") for a in addons.values())
    system = plan.find("aws:eks/nodeGroup:NodeGroup", "ml-system")
    assert system.get("capacityType") == "ON_DEMAND"
    assert addons["coredns"].dependencies.count(system.urn) == 1
    assert addons["vpc-cni"].urn in system.dependencies
    provider = plan.find("pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == UNKNOWN or provider.inputs["kubeconfig"]["value"] == UNKNOWN


def test_eks_cluster_kubeconfig_uses_exec_auth_and_is_secret():
    plan = plan_program(cluster(), mode="up")
    raw = plan.find("pulumi:providers:kubernetes").inputs["kubeconfig"]
    assert isinstance(raw, dict) and "value" in raw  # wrapped secret
    kubeconfig = json.loads(raw["value"])
    user = kubeconfig["users"][0]["user"]["exec"]
    assert user["command"] == "aws"
    assert user["args"][:4] == ["eks", "get-token", "--cluster-name", "ml"]
    assert "token" not in kubeconfig["users"][0]["user"]


def test_eks_cluster_prod_protection_and_public_allow_list():
    plan = plan_program(cluster(protect=True, endpoint_public_access=True, public_access_cidrs=["203.0.113.0/24"],
                                admin_role_arns=["arn:aws:iam::111122223333:role/admin"]))
    assert plan.find("aws:kms/key:Key").protect is True
    eks = plan.find("aws:eks/cluster:Cluster")
    assert eks.get("deletionProtection") is True
    assert eks.get("vpcConfig.publicAccessCidrs") == ["203.0.113.0/24"]
    assert any("endpoint_public_access overridden" in d.message for d in plan.diagnostics)
    assoc = plan.find("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert assoc.get("policyArn").endswith(":cluster-access-policy/AmazonEKSClusterAdminPolicy")


def test_eks_cluster_bring_your_own_key_creates_none():
    plan = plan_program(cluster(secrets_kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/abc"))
    assert plan.of_type("aws:kms/key:Key") == []
    assert plan.find("aws:eks/cluster:Cluster").get("encryptionConfig.provider.keyArn").endswith("key/abc")


def test_eks_cluster_public_endpoint_needs_an_allow_list():
    with pytest.raises(PlanInputError, match="public_access_cidrs: required when the endpoint is public"):
        plan_program(cluster(endpoint_public_access=True))


def test_autoscaler_role_is_scoped_to_its_cluster():
    doc = json.loads(autoscaler_policy("ml", "arn:aws:eks:us-east-1:111122223333:cluster/ml"))
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["DescribeNodegroups"]["Resource"] == "arn:aws:eks:us-east-1:111122223333:nodegroup/ml/*/*"
    assert by_sid["ScaleOwnGroups"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/ml": "owned"}
    }
    assert not any("*" in a for s in doc["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))

    def program():
        ClusterAutoscaler("ml", {
            "cluster_name": "ml", "cluster_arn": "arn:aws:eks:us-east-1:111122223333:cluster/ml",
            "oidc_provider_arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X",
            "oidc_issuer": "oidc.eks.us-east-1.amazonaws.com/id/X", "region": "us-east-1", "kubernetes_version": "1.34",
        })

    plan = plan_program(program, mode="up")
    trust = json.loads(plan.find("aws:iam/role:Role").get("assumeRolePolicy"))
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {
        "oidc.eks.us-east-1.amazonaws.com/id/X:sub": "system:serviceaccount:kube-system:cluster-autoscaler",
        "oidc.eks.us-east-1.amazonaws.com/id/X:aud": "sts.amazonaws.com",
    }
    release = plan.find("kubernetes:helm.sh/v3:Release")
    assert release.get("values.image.tag") == "v1.34.5"
    assert release.get("values.rbac.serviceAccount") == {"create": False, "name": "cluster-autoscaler"}
