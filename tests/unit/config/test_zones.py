"""GKE pools are placed only in zones that sell their machine type (issue 16, point 2)."""

from __future__ import annotations

from conftest import config_problems, stack_platform

from aiplatform.config import load_platform_config


def test_issue16_point2_g2_standard_24_defaults_to_the_us_east4_zones_that_sell_it_excluding_us_east4_b():
    config = load_platform_config(stack_platform("gcp-prod"))
    assert config.node_zones == ["us-east4-a", "us-east4-b", "us-east4-c"]
    assert config.pool_zones == {"serving-l4": ["us-east4-a", "us-east4-c"],  # g2-standard-24
                                 "training-a100": ["us-east4-c"],  # a2-ultragpu-8g, a reservation: one zone
                                 "batch-a100-mig": ["us-east4-c"]}  # a2-ultragpu-1g


def test_a_pool_given_a_zone_that_does_not_sell_its_type_is_a_config_error_with_the_path():
    raw = stack_platform("gcp-prod")
    raw["gpu_pools"][0]["zones"] = ["us-east4-a", "us-east4-b", "europe-west4-a"]
    assert config_problems(raw) == [
        "platform.gpu_pools[0].zones[1]: g2-standard-24 is not sold in us-east4-b (zones of us-east4 that sell it: "
        "us-east4-a, us-east4-c; catalog/data/gcp_zones.yaml)",
        "platform.gpu_pools[0].zones[2]: 'europe-west4-a' is not a zone of us-east4",
    ]


def test_given_zones_that_sell_the_type_are_the_pools():
    raw = stack_platform("gcp-prod")
    raw["gpu_pools"][0]["zones"] = ["us-east4-c"]
    assert load_platform_config(raw).pool_zones["serving-l4"] == ["us-east4-c"]


def test_a_reservation_pool_spanning_two_zones_is_a_config_error_saying_which_to_choose():
    raw = stack_platform("gcp-prod")
    raw["gpu_pools"][1]["instance_types"] = ["a3-highgpu-8g"]  # sold in us-east4-a, -b and -c
    raw["gpu_pools"][1]["zones"] = ["us-east4-a", "us-east4-b"]
    assert config_problems(raw) == [
        "platform.gpu_pools[1].zones: a reservation lives in one zone, but the pool would span us-east4-a, "
        "us-east4-b: set zones to the reservation's zone, one of us-east4-a, us-east4-b"]
    del raw["gpu_pools"][1]["zones"]  # the default would span all three
    assert config_problems(raw) == [
        "platform.gpu_pools[1].zones: a reservation lives in one zone, but the pool would span us-east4-a, "
        "us-east4-b, us-east4-c: set zones to the reservation's zone, one of us-east4-a, us-east4-b, us-east4-c"]
    raw["gpu_pools"][1]["zones"] = ["us-east4-b"]
    assert load_platform_config(raw).pool_zones["training-a100"] == ["us-east4-b"]


def test_no_node_zone_selling_the_type_is_a_config_error_naming_the_type_region_and_zones():
    raw = stack_platform("gcp-prod")
    raw["network"]["availability_zones"] = ["us-east4-a", "us-east4-b"]
    found = config_problems(raw)
    assert ("platform.gpu_pools[1].instance_types: a2-ultragpu-8g is not sold in any zone of the platform "
            "(us-east4-a, us-east4-b; zones of us-east4 that sell it: us-east4-c): set the pool's zones or "
            "network.availability_zones") in found
    assert len(found) == 2 and found[1].startswith("platform.gpu_pools[2].instance_types: a2-ultragpu-1g")


def test_the_system_type_must_be_sold_in_every_node_zone():
    raw = stack_platform("gcp-prod")
    raw["region"] = "us-central1"
    raw["network"]["availability_zones"] = ["us-central1-a", "us-central1-d"]
    raw["gpu_pools"] = []
    raw["teams"] = []
    found = config_problems(raw)
    assert ("platform.cluster.system_nodes.instance_types: n2-standard-4 is not sold in us-central1-d and the system "
            "pool spans every zone of the cluster (us-central1-a, us-central1-d; zones of us-central1 that sell it: "
            "us-central1-a, us-central1-b, us-central1-c, us-central1-f): choose a type sold in each, or set "
            "network.availability_zones") in found


def test_aws_pool_zones_pick_subnets_of_the_network():
    raw = stack_platform("aws-dev")
    raw["gpu_pools"][0]["zones"] = ["us-east-1a"]
    assert load_platform_config(raw).gpu_pools[0].zones == ["us-east-1a"]
    raw["gpu_pools"][0]["zones"] = ["us-west-2a"]
    assert config_problems(raw) == ["platform.gpu_pools[0].zones[0]: 'us-west-2a' is not a zone of the network "
                                    "(us-east-1a, us-east-1b, us-east-1c)"]
    raw["gpu_pools"][0]["zones"] = ["us-east-1a"]
    raw["gpu_pools"][0]["subnet_ids"] = ["subnet-0a1b2c3d4e5f60718"]
    assert config_problems(raw) == ["platform.gpu_pools[0].subnet_ids: applies to an existing VPC; with a new VPC "
                                    "give zones"]
