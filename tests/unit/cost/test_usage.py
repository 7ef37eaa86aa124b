"""Usage files against the pricers: the fields a type takes are the fields its pricer reads, on both clouds."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from aiplatform.catalog.prices import prices
from aiplatform.cost.estimate import PRICERS, USAGE_FIELDS
from aiplatform.cost.pricing import Context, pricer
from aiplatform.cost.usage import ResourceUsage, Usage
from aiplatform.shape.resource import Resource


class Recording(ResourceUsage):
    """A resource's usage with every field set, remembering which fields a pricer reads."""

    read: ClassVar[set[str]] = set()

    def __getattribute__(self, name: str) -> Any:
        if name in ResourceUsage.model_fields:
            Recording.read.add(name)
        return super().__getattribute__(name)


EVERY_FIELD = {"expected_nodes": 2.0, "expected_utilization": 0.5, "storage_gb": 10.0,
               "monthly_data_processed_gb": 10.0, "monthly_data_ingested_gb": 10.0, "monthly_inter_zone_gb": 10.0,
               "ocus": 3.0, "max_ocus": 6.0, "monthly_samples_ingested_millions": 100.0}

#: Per priced type, props that take its pricer down the path where it prices (and reads its usage).
SAMPLES: dict[str, dict[str, Any]] = {
    "aws:eks/nodeGroup:NodeGroup": {"instanceTypes": ["g5.xlarge"], "scalingConfig": {"minSize": 0.0, "maxSize": 4.0}},
    "aws:autoscaling/group:Group": {"minSize": 0.0, "maxSize": 4.0, "mixedInstancesPolicy": {
        "launchTemplate": {"overrides": [{"instanceType": "g5.xlarge"}]}}},
    "aws:ec2/instance:Instance": {"instanceType": "g5.xlarge"},
    "gcp:container/nodePool:NodePool": {"nodeConfig": {"machineType": "g2-standard-8"}, "nodeLocations": ["us-central1-a"],
                                        "autoscaling": {"totalMinNodeCount": 0.0, "totalMaxNodeCount": 4.0}},
    "aws:eks/cluster:Cluster": {"upgradePolicy": {"supportType": "STANDARD"}},
    "aws:ec2/natGateway:NatGateway": {},
    "aws:ec2/eip:Eip": {},
    "aws:kms/key:Key": {},
    "aws:s3/bucket:Bucket": {},
    "aws:s3/bucketV2:BucketV2": {},
    "aws:ecr/repository:Repository": {},
    "aws:cloudwatch/logGroup:LogGroup": {},
    "aws:opensearch/serverlessCollection:ServerlessCollection": {"standbyReplicas": "DISABLED"},
    "aws:lb/loadBalancer:LoadBalancer": {"loadBalancerType": "network"},
    "aws:alb/loadBalancer:LoadBalancer": {},
    "aws:ec2/vpcEndpoint:VpcEndpoint": {"vpcEndpointType": "Interface", "subnetIds": ["a", "b"]},
    "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint": {"subnetIds": ["a", "b"]},
    "aws:ebs/volume:Volume": {"size": 100.0, "type": "gp3"},
    "aws:amp/workspace:Workspace": {"alias": "ml-dev"},
    "gcp:container/cluster:Cluster": {},
    "gcp:compute/subnetwork:Subnetwork": {"logConfig": {"flowSampling": 0.5}},
    "gcp:compute/routerNat:RouterNat": {},
    "gcp:kms/cryptoKey:CryptoKey": {},
    "gcp:storage/bucket:Bucket": {},
    "gcp:artifactregistry/repository:Repository": {},
    "kubernetes:core/v1:Service": {"spec": {"type": "LoadBalancer"}, "metadata": {
        "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}}},
    "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": {"spec": {"provider": {"kubernetes": {"envoyService": {
        "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}}}}}},
    "kubernetes:helm.sh/v3:Release": {"chart": "qdrant", "values": {"persistence": {"size": "10Gi"}}},
    "kubernetes:apps/v1:Deployment": {"metadata": {"name": "x", "namespace": "t"}, "spec": {"template": {"spec": {
        "nodeSelector": {"aiplatform.io/accelerator": "L4"},
        "containers": [{"name": "s", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}}},
}


def fields_read(type_: str) -> set[str]:
    """Run the type's pricer on its sample with every usage field given; the fields it read."""
    cloud = "gcp" if type_.startswith("gcp:") else "aws"
    region = "us-central1" if cloud == "gcp" else "us-east-1"
    r = Resource(type=type_, urn=f"urn:pulumi:dev::p::{type_}::x", name="x", props=SAMPLES[type_])
    usage = Usage(resources={"x": Recording(**EVERY_FIELD)})
    assert isinstance(usage.resources["x"], Recording)
    ctx = Context(prices(cloud), usage, region, {r.urn: r})
    Recording.read = set()
    items = PRICERS[type_](r, ctx)
    assert items and all(i.status != "unpriced" for i in items), [(i.sku, i.note) for i in items]
    return Recording.read


def test_every_priced_type_has_a_sample():
    assert set(SAMPLES) == set(PRICERS)


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_the_usage_fields_a_type_takes_are_the_fields_its_pricer_reads(type_):
    assert fields_read(type_) == USAGE_FIELDS.get(type_, frozenset())


def test_the_table_covers_both_clouds():
    assert USAGE_FIELDS["gcp:storage/bucket:Bucket"] == {"storage_gb"}
    assert USAGE_FIELDS["gcp:container/nodePool:NodePool"] == {"expected_nodes", "expected_utilization"}
    assert USAGE_FIELDS["gcp:artifactregistry/repository:Repository"] == {"storage_gb"}
    assert USAGE_FIELDS["gcp:compute/routerNat:RouterNat"] == {"monthly_data_processed_gb"}
    assert USAGE_FIELDS["aws:opensearch/serverlessCollection:ServerlessCollection"] == {"ocus", "max_ocus", "storage_gb"}
    assert set().union(*USAGE_FIELDS.values()) == set(ResourceUsage.model_fields)  # every field is read somewhere


def test_a_pricer_cannot_declare_a_field_the_usage_file_does_not_have():
    with pytest.raises(ValueError, match="not usage-file fields: storage_bg"):
        pricer("example:index:Thing", usage=("storage_bg",))
