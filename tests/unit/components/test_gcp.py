"""The platform on Google Cloud: config, components under mocks with their inputs, guardrails, cost."""

from __future__ import annotations

import pytest
from conftest import config_problems, stack_platform

from aiplatform.config import load_platform_config
from aiplatform.offline import PlanInputError
from aiplatform.testing import plan_program


def test_gcp_reference_configs_resolve_cloud_defaults():
    dev = load_platform_config(stack_platform("gcp-dev"))
    prod = load_platform_config(stack_platform("gcp-prod"))
    assert dev.availability_zones == ["us-central1-a", "us-central1-b", "us-central1-c"]
    assert (dev.regional, dev.release_channel, prod.regional, prod.release_channel) == (False, "REGULAR", True, "STABLE")
    assert str(dev.network.pods_cidr_resolved) == "10.51.0.0/16" and str(dev.network.services_cidr_resolved) == "10.52.0.0/20"
    assert dev.resource_tags["aiplatform-platform"] == "ml-dev" and "aiplatform:platform" not in dev.resource_tags
    raw = stack_platform("gcp-dev")
    del raw["cluster"]["system_nodes"]["instance_types"]
    assert load_platform_config(raw).system_instance_types == ["e2-standard-4"]


def test_every_gcp_problem_is_named_with_its_path():
    raw = stack_platform("gcp-prod")
    del raw["project"]
    raw["workload_identity"] = "irsa"
    raw["cluster"]["regional"] = False
    raw["cluster"]["admin_role_arns"] = ["arn:aws:iam::111122223333:role/admin"]
    raw["tags"]["owner"] = "ml-platform@example.com"
    raw["network"]["vpc_id"] = "vpc-0123456789abcdef0"
    raw["network"]["services_cidr"] = "10.64.0.0/20"  # inside pods_cidr 10.64.0.0/14
    raw["gpu_pools"][0]["instance_types"] = ["g2-standard-24", "g6.xlarge"]
    raw["gpu_pools"][1]["reservation_name"] = None
    raw["gpu_pools"][2]["mig_partition_size"] = "1g.5gb"
    raw["model_registry"]["model_families"] = ["chat"]
    raw["vector_store"] = {"kind": "opensearch-serverless"}
    assert sorted(config_problems(raw)) == sorted([
        "platform.project: required on cloud gcp",
        "platform.workload_identity: does not apply to cloud gcp (GKE Workload Identity is always on)",
        "platform.cluster.regional: prod clusters are regional (a zonal control plane is one zone's outage away)",
        "platform.cluster.admin_role_arns: does not apply to cloud gcp (grant roles/container.admin in IAM)",
        "platform.tags['owner']: GCP labels take lowercase letters, digits, '_' and '-' (keys start with a letter; "
        "at most 63 characters)",
        "platform.network.vpc_id: does not apply to cloud gcp",
        "platform.network.services_cidr: 10.64.0.0/20 overlaps pods_cidr 10.64.0.0/14",
        "platform.gpu_pools[0].instance_types[1]: 'g6.xlarge' is an AWS type; this platform is on gcp",
        "platform.gpu_pools[0].instance_types: a GKE node pool takes exactly one machine type",
        "platform.gpu_pools[1].reservation_name: required when capacity_type is reservation",
        "platform.gpu_pools[2].mig_partition_size: A100-80GB takes 1g.10gb, 2g.20gb, 3g.40gb, 7g.80gb",
        # zonal: the nodes' one zone, us-east4-a, does not sell A2 Ultra (issue 16, point 2)
        *(f"platform.gpu_pools[{i}].instance_types: {t} is not sold in any zone of the platform (us-east4-a; zones "
          "of us-east4 that sell it: us-east4-c): set the pool's zones or network.availability_zones"
          for i, t in ((1, "a2-ultragpu-8g"), (2, "a2-ultragpu-1g"))),
        "platform.model_registry.model_families: SageMaker model package groups are AWS's; on GCP, register "
        "versions in Vertex AI Model Registry",
        "platform.vector_store.kind: opensearch-serverless is AWS's; on GCP use qdrant",
    ])


def test_aws_refuses_gcp_fields():
    raw = stack_platform("aws-dev")
    raw["project"] = "ml-platform-dev-4410"
    raw["cluster"]["release_channel"] = "STABLE"
    raw["cluster"]["security_group"] = "gke-security-groups@example.com"
    raw["gpu_pools"][0]["gpu_sharing"] = "mps"
    raw["gpu_pools"][1]["instance_types"] = ["g2-standard-8"]
    raw["network"]["pods_cidr"] = "10.41.0.0/16"
    found = config_problems(raw)
    for line in ("platform.project: does not apply to cloud aws",
                 "platform.cluster.release_channel: does not apply to cloud aws",
                 "platform.cluster.security_group: does not apply to cloud aws",
                 "platform.gpu_pools[0].gpu_sharing: does not apply to cloud aws",
                 "platform.gpu_pools[1].instance_types[0]: 'g2-standard-8' is an GCP type; this platform is on aws",
                 "platform.network.pods_cidr: does not apply to cloud aws"):
        assert line in found, found


def test_an_existing_network_needs_all_four_names():
    raw = stack_platform("gcp-dev")
    del raw["network"]["cidr"]
    raw["network"]["network_name"] = "shared-vpc"
    assert config_problems(raw) == [f"platform.network.{f}: required with an existing network"
                              for f in ("subnetwork_name", "pods_range_name", "services_range_name")]
    del raw["network"]["network_name"]
    assert config_problems(raw) == [
        "platform.network: give either cidr (create a network) or network_name, subnetwork_name, pods_range_name "
        "and services_range_name (use an existing one)"]
    raw["network"]["network_name"] = "shared-vpc"
    raw["network"].update(subnetwork_name="ml", pods_range_name="pods", services_range_name="svc")
    raw["network"].pop("availability_zones")
    config = load_platform_config(raw)
    assert not config.network.creates_vpc


def test_gpu_pool_component_refuses_bad_args():
    from aiplatform.components.gcp import GkeGpuNodePool

    with pytest.raises(PlanInputError) as caught:
        plan_program(lambda: GkeGpuNodePool("p", {
            "project": "p-123456", "cluster": "c", "location": "us-central1", "node_locations": ["us-central1-a"],
            "node_service_account": "n@p.iam.gserviceaccount.com", "machine_type": "e2-standard-4",
            "capacity_type": "reservation", "max_size": 0, "gpu_sharing": "mps"}))
    message = str(caught.value)
    for path in ("machine_type:", "reservation_name:", "max_size:", "max_shared_clients_per_gpu:"):
        assert path in message


def test_gcp_catalog_rows_name_their_accelerators_and_prices():
    from aiplatform.catalog import cloud_of, gcp_instances, zones_offering
    from aiplatform.catalog.prices import gcp_prices

    prices = gcp_prices()
    assert prices.regions == ["us-central1", "us-east4", "europe-west4"]
    for row in gcp_instances().instance_types:
        assert cloud_of(row.type) == "gcp"
        for region in prices.regions:
            # priced where a zone sells it, null (not offered) where none does: A2 40GB in us-east4
            assert prices.offered(row.type, region) is bool(zones_offering(row.type, region)), (row.type, region)
        if row.accelerator is not None:
            assert row.accelerator.gcp_type is not None and row.accelerator.gcp_type.startswith("nvidia-")
            assert bool(row.accelerator.mig_profiles) == row.accelerator.model.startswith(("A100", "H100"))
    models = {r.accelerator.model for r in gcp_instances().accelerated()}
    assert models == {"L4", "A100-40GB", "A100-80GB", "H100"}
    for sku in ("gcp-gke-cluster", "gcp-cloud-nat-gateway", "gcp-gcs-standard", "gcp-kms-key", "gcp-pd-balanced"):
        assert all(prices.service(sku, region) for region in prices.regions), sku
