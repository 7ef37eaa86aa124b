"""Usage files against the pricers: the fields a type takes are the fields its pricer reads, on both clouds."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from aiplatform.catalog.prices import prices
from aiplatform.cost import UsageError, parse_usage
from aiplatform.cost.estimate import PRICERS, USAGE_FIELDS
from aiplatform.cost.plan import estimate_plan
from aiplatform.cost.pricing import Context, pricer
from aiplatform.cost.usage import ResourceUsage, Usage
from aiplatform.shape.resource import Resource

HOURS = 730
L4_SPOT = 0.85362 * 0.4  # g2-standard-8 in us-central1 x the catalog's spot ratio


def lines_of(estimate) -> dict[tuple[str, str], Any]:
    return {(i.name, i.sku): i for i in estimate.items}


# ---- GCP fields are accepted and priced -----------------------------------------------------------


def test_gcp_dev_usage_file_prices_storage_nat_data_and_expected_nodes(gcp_plans):
    plan = gcp_plans["gcp-dev"]
    before = lines_of(estimate_plan(plan))
    assert before[("ml-dev-models", "gcp-gcs-standard")].status == "usage-based"
    assert before[("ml-dev-inference-l4", "gcp-compute-g2-standard-8-spot")].quantity.expected == 0
    usage = parse_usage({"resources": {
        "ml-dev-models": {"storage_gb": 500},
        "ml-dev-images": {"storage_gb": 40},
        "ml-dev-nat": {"monthly_data_processed_gb": 300},
        "ml-dev-inference-l4": {"expected_nodes": 3},
        "ml-dev-shared-l4": {"expected_utilization": 0.5},
    }}, "usage.yaml")
    estimate = estimate_plan(plan, usage)
    after = lines_of(estimate)

    gcs = after[("ml-dev-models", "gcp-gcs-standard")]
    assert (gcs.status, gcs.basis, gcs.quantity.expected) == ("priced", "usage", 500)
    assert gcs.monthly.expected == pytest.approx(500 * 0.02)
    registry = after[("ml-dev-images", "gcp-artifact-registry-storage")]
    assert (registry.quantity.expected, registry.monthly.expected) == (40, pytest.approx(40 * 0.1))
    nat = after[("ml-dev-nat", "gcp-cloud-nat-data")]
    assert (nat.quantity.expected, nat.monthly.expected) == (300, pytest.approx(300 * 0.045))

    l4 = after[("ml-dev-inference-l4", "gcp-compute-g2-standard-8-spot")]
    assert (l4.quantity.idle, l4.quantity.expected, l4.quantity.peak) == (0, 3, 4)
    assert l4.basis == "usage" and "expected_nodes from the usage file" in l4.note
    assert l4.monthly.expected == pytest.approx(3 * L4_SPOT * HOURS)
    disks = after[("ml-dev-inference-l4", "gcp-pd-balanced")]
    assert disks.quantity.expected == 3 * 200  # 200 GB pd-balanced per node
    shared = after[("ml-dev-shared-l4", "gcp-compute-g2-standard-4-spot")]
    assert (shared.quantity.expected, shared.basis) == (1, "usage")  # 0 + 0.5 x (2 - 0)
    shared_spot = prices("gcp").instance("g2-standard-4", "us-central1").amount * 0.4
    assert shared.monthly.expected == pytest.approx(shared_spot * HOURS)
    assert after[("ml-dev-shared-l4", "gcp-pd-balanced")].quantity.expected == 200

    stored = 500 * 0.02 + 40 * 0.1 + 300 * 0.045
    added = stored + 3 * (L4_SPOT * HOURS + 200 * 0.1) + (shared_spot * HOURS + 200 * 0.1)
    assert estimate.totals.expected == pytest.approx(estimate_plan(plan).totals.expected + added)
    assert estimate.totals.idle == pytest.approx(estimate_plan(plan).totals.idle + stored)


@pytest.mark.parametrize(("type_", "name", "field", "takes"), [
    ("gcp:storage/bucket:Bucket", "ml-dev-models", "expected_nodes", "takes storage_gb"),
    ("gcp:container/nodePool:NodePool", "ml-dev-inference-l4", "storage_gb", "takes expected_nodes, expected_utilization"),
    ("gcp:kms/cryptoKey:CryptoKey", "ml-dev-keys-data", "storage_gb", "takes no usage"),
])
def test_a_field_no_pricer_of_the_type_reads_is_refused(gcp_plans, type_, name, field, takes):
    plan = gcp_plans["gcp-dev"]
    urn = next(r.urn for r in plan.resources if r.type == type_ and r.name == name)
    with pytest.raises(UsageError) as err:
        estimate_plan(plan, parse_usage({"resources": {urn: {field: 1}}}, "usage.yaml"))
    assert str(err.value).splitlines() == [f"usage.yaml: resources.{urn}.{field}: does not apply to {type_} ({takes})"]


# ---- the table is what the pricers read ---------------------------------------------------------------


class Recording(ResourceUsage):
    """A resource's usage with every field set, remembering which fields a pricer reads."""

    read: ClassVar[set[str]] = set()

    def __getattribute__(self, name: str) -> Any:
        if name in ResourceUsage.model_fields:
            Recording.read.add(name)
        return super().__getattribute__(name)


EVERY_FIELD = {"expected_nodes": 2.0, "expected_utilization": 0.5, "storage_gb": 10.0,
               "monthly_data_processed_gb": 10.0, "monthly_data_ingested_gb": 10.0, "ocus": 3.0, "max_ocus": 6.0}

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
    "gcp:container/cluster:Cluster": {},
    "gcp:compute/routerNat:RouterNat": {},
    "gcp:kms/cryptoKey:CryptoKey": {},
    "gcp:storage/bucket:Bucket": {},
    "gcp:artifactregistry/repository:Repository": {},
    "kubernetes:core/v1:Service": {"spec": {"type": "LoadBalancer"}, "metadata": {
        "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}}},
    "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": {"spec": {"provider": {"kubernetes": {"envoyService": {
        "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}}}}}},
    "kubernetes:helm.sh/v3:Release": {"chart": "qdrant", "values": {"persistence": {"size": "10Gi"}}},
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
