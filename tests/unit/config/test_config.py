"""The platform spec: good configs load, bad ones list every problem with its path."""

from __future__ import annotations

import pytest
from conftest import config_problems, stack_platform
from hypothesis import given, settings
from hypothesis import strategies as st

from aiplatform.config import ConfigError, PlatformConfig, json_schema, load_platform_config


def test_reference_stacks_load(dev_config, prod_config):
    dev = load_platform_config(dev_config)
    prod = load_platform_config(prod_config)
    assert dev.nat_gateways == "single" and prod.nat_gateways == "per-az"
    assert dev.availability_zones == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert [p.name for p in dev.gpu_pools] == ["inference-l4", "training-a10g"]
    assert all(p.min_nodes == 0 and p.capacity_type == "spot" for p in dev.gpu_pools)
    assert prod.protect_stateful and not dev.protect_stateful
    assert dev.resource_tags["environment"] == "dev"
    assert dev.resource_tags["aiplatform:platform"] == "ml-dev"


def test_every_problem_is_reported_with_its_path(dev_config):
    dev_config["tags"].pop("cost-center")
    dev_config["cloud"] = 7
    dev_config["surprise"] = True
    dev_config["gpu_pools"][0]["min_nodes"] = 4
    dev_config["gpu_pools"][0]["max_nodes"] = 2
    dev_config["gpu_pools"][1]["instance_types"] = ["m7i.large", "x9.huge"]
    dev_config["gpu_pools"][1]["max_nodes"] = "many"
    found = config_problems(dev_config)
    assert "platform.tags['cost-center']: required (cost allocation)" in found
    assert any(p.startswith("platform.cloud: ") for p in found)
    assert "platform.surprise: unknown key" in found
    assert "platform.gpu_pools[0].max_nodes: must be >= min_nodes (4 > 2)" in found
    assert any(p.startswith("platform.gpu_pools[1].instance_types[0]: instance type without an accelerator: 'm7i.large'") for p in found)
    assert any(p.startswith("platform.gpu_pools[1].instance_types[1]: unknown instance type 'x9.huge'") for p in found)
    assert any(p.startswith("platform.gpu_pools[1].max_nodes: ") for p in found)
    assert len(found) == 7


def test_unlisted_instance_types_need_an_explicit_opt_in(dev_config):
    dev_config["teams"] = []  # the teams ask for L4s, which this pool no longer offers
    dev_config["gpu_pools"][0]["instance_types"] = ["g7x.future"]
    assert len(config_problems(dev_config)) == 1
    dev_config["gpu_pools"][0]["allow_unlisted_instance_types"] = True
    assert load_platform_config(dev_config).gpu_pools[0].instance_types == ["g7x.future"]


@pytest.mark.parametrize("stack, types, models", [
    ("aws-dev", ["g6.2xlarge", "g6e.2xlarge"], "L4 (g6.2xlarge), L40S (g6e.2xlarge)"),
    ("gcp-dev", ["g2-standard-8", "a2-highgpu-1g"], "A100-40GB (a2-highgpu-1g), L4 (g2-standard-8)"),
])
def test_a_pool_mixing_accelerator_models_is_a_config_error_issue16_point7(stack, types, models):
    raw = stack_platform(stack)
    raw["gpu_pools"][0]["instance_types"] = types
    with pytest.raises(ConfigError) as info:
        load_platform_config(raw)
    assert [str(p) for p in info.value.problems] == [
        f"platform.gpu_pools[0].instance_types: mixes accelerator models {models}: a pool carries one model "
        "(its accelerator label names it and workloads select on it); use one pool per model"]


def test_new_and_existing_network_are_exclusive(dev_config):
    dev_config["network"]["vpc_id"] = "vpc-0123456789abcdef0"
    assert config_problems(dev_config) == [
        "platform.network: give either cidr (create a VPC) or vpc_id and private_subnet_ids "
        "(use an existing one), not both"
    ]


def test_existing_network(dev_config):
    dev_config["network"] = {"vpc_id": "vpc-0123456789abcdef0", "private_subnet_ids": ["subnet-0123456789abcdef0"]}
    assert config_problems(dev_config) == [
        "platform.network.private_subnet_ids: an existing VPC needs at least 2 private subnets in different zones"
    ]
    dev_config["network"]["private_subnet_ids"].append("subnet-0123456789abcdef1")
    assert not load_platform_config(dev_config).network.creates_vpc


def test_prod_endpoint_never_open_to_the_world(prod_config, dev_config):
    prod_config["cluster"]["endpoint"] = {"public": True, "public_cidrs": ["10.0.0.0/8", "0.0.0.0/0"]}
    assert config_problems(prod_config) == [
        "platform.cluster.endpoint.public_cidrs[1]: 0.0.0.0/0 opens the Kubernetes API to the whole internet; "
        "not allowed in prod"
    ]
    dev_config["cluster"]["endpoint"] = {"public": True}
    assert config_problems(dev_config) == [
        "platform.cluster.endpoint.public_cidrs: required when public is true: list the CIDRs allowed to reach the endpoint"
    ]


def test_duplicate_pool_names(dev_config):
    dev_config["gpu_pools"][1]["name"] = dev_config["gpu_pools"][0]["name"]
    assert config_problems(dev_config) == ["platform.gpu_pools[1].name: duplicate pool name 'inference-l4' (also gpu_pools[0])"]


def test_capacity_blocks_need_one_reserved_type(dev_config):
    dev_config["teams"] = []  # the teams ask for L4s, which this pool no longer offers
    pool = dev_config["gpu_pools"][0]
    pool["capacity_type"] = "capacity-block"
    found = config_problems(dev_config)
    assert found == [
        "platform.gpu_pools[0].capacity_reservation_id: required when capacity_type is capacity-block",
        "platform.gpu_pools[0].capacity_reservation_id: a capacity-block pool takes exactly one instance type "
        "(the reserved one)",
    ]
    pool["instance_types"] = ["p5.48xlarge"]
    pool["capacity_reservation_id"] = "cr-0123456789abcdef0"
    # case (issue 16, point 8): a capacity block lives in one zone, so its pool must say which
    assert config_problems(dev_config) == [
        "platform.gpu_pools[0].zones: a capacity-block pool takes exactly one zone: the zone of its capacity block "
        "(a block's instances exist in that zone only)"]
    pool["zones"] = ["us-east-1d"]
    assert config_problems(dev_config) == [
        "platform.gpu_pools[0].zones[0]: 'us-east-1d' is not a zone of the network (us-east-1a, us-east-1b, us-east-1c)"]
    pool["zones"] = ["us-east-1b"]
    assert load_platform_config(dev_config).gpu_pools[0].capacity_reservation_id == "cr-0123456789abcdef0"


def test_pools_on_an_existing_vpc_take_subnets_not_zones(dev_config):
    dev_config["network"] = {"vpc_id": "vpc-0123456789abcdef0",
                             "private_subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]}
    dev_config["gpu_pools"][0]["zones"] = ["us-east-1a"]
    dev_config["gpu_pools"][1]["subnet_ids"] = ["subnet-0a1b2c3d4e5f60720"]
    assert config_problems(dev_config) == [
        "platform.gpu_pools[0].zones: applies to a new VPC; with an existing VPC give subnet_ids",
        "platform.gpu_pools[1].subnet_ids[0]: 'subnet-0a1b2c3d4e5f60720' is not one of network.private_subnet_ids",
    ]


def test_neuron_pools_get_the_neuron_ami_and_reject_nvidia_amis(dev_config):
    dev_config["teams"] = []  # the teams ask for L4s, which this pool no longer offers
    pool = dev_config["gpu_pools"][0]
    pool["instance_types"] = ["inf2.xlarge"]
    assert load_platform_config(dev_config).gpu_pools[0].resolved_ami_type == "AL2023_x86_64_NEURON"
    pool["ami_type"] = "AL2023_x86_64_NVIDIA"
    assert config_problems(dev_config)[0].startswith("platform.gpu_pools[0].ami_type: 'AL2023_x86_64_NVIDIA' does not fit aws-neuron")


def test_reserved_labels_and_taints(dev_config):
    pool = dev_config["gpu_pools"][0]
    pool["labels"] = {"aiplatform.io/pool": "x", "ok": "bad value!"}
    pool["taints"] = [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}]
    found = config_problems(dev_config)
    assert "platform.gpu_pools[0].labels['aiplatform.io/pool']: the aiplatform.io/ prefix is reserved for labels the platform sets" in found
    assert "platform.gpu_pools[0].labels['ok']: not a valid Kubernetes label value: 'bad value!'" in found
    assert "platform.gpu_pools[0].taints[0].key: nvidia.com/gpu is set by the platform" in found


def test_not_a_mapping():
    assert config_problems(None) == ["platform: required: set config key aiplatform:platform"]
    assert config_problems([1]) == ["platform: must be a mapping (got list)"]


def test_schema_covers_the_sections():
    schema = json_schema()
    assert set(schema["required"]) >= {"name", "cloud", "region", "environment", "tags", "network"}
    assert schema["additionalProperties"] is False
    assert "GpuPool" in schema["$defs"]


@settings(max_examples=150, deadline=None)
@given(
    min_nodes=st.integers(-2, 12),
    max_nodes=st.integers(-2, 12),
    desired=st.one_of(st.none(), st.integers(-2, 12)),
)
def test_pool_sizes_either_load_consistently_or_fail_with_a_located_problem(min_nodes, max_nodes, desired):
    pool = {"name": "p", "instance_types": ["g6.xlarge"], "min_nodes": min_nodes, "max_nodes": max_nodes}
    if desired is not None:
        pool["desired_nodes"] = desired
    raw = {**stack_platform("aws-dev"), "gpu_pools": [pool], "teams": []}
    try:
        cfg = load_platform_config(raw)
    except ConfigError as exc:
        assert exc.problems and all(p.path.startswith("platform.gpu_pools[0].") for p in exc.problems)
    else:
        got = cfg.gpu_pools[0]
        assert 0 <= got.min_nodes <= got.initial_nodes <= got.max_nodes
        assert got.max_nodes >= 1


def test_model_is_frozen(dev_config):
    cfg = load_platform_config(dev_config)
    with pytest.raises(Exception):
        cfg.name = "other"  # type: ignore[misc]
    assert isinstance(cfg, PlatformConfig)


@pytest.mark.parametrize("stack, key", [("aws-dev", "aws:region"), ("gcp-dev", "gcp:region")])
def test_a_stack_region_other_than_the_platforms_is_a_config_error_issue16_point9(stack, key):
    """The default provider's region (used by anything the platform does not create) must be the platform's."""
    from aiplatform.config import from_pulumi_config
    from aiplatform.offline.errors import PlanInputError
    from aiplatform.testing import plan_program

    raw = stack_platform(stack)
    other = "eu-west-1" if stack.startswith("aws") else "europe-west4"
    with pytest.raises(PlanInputError) as info:
        plan_program(from_pulumi_config, config={"aiplatform:platform": raw, key: other})
    assert f"platform.region: {raw['region']} differs from the stack's {key} {other}" in str(info.value)
    assert plan_program(from_pulumi_config, config={"aiplatform:platform": raw, key: raw["region"]}).resources
