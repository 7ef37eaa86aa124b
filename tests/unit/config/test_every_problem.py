"""Strict types at the edge, and cross-field checks that a field error does not hide."""

from __future__ import annotations

import pytest
from conftest import config_problems, stack_platform

from aiplatform.config import ConfigError, load_platform_config


def test_a_bad_name_no_longer_hides_the_cross_field_problems(dev_config):
    dev_config["name"] = "Bad_Name"
    dev_config["gpu_pools"].append(dict(dev_config["gpu_pools"][0]))
    dev_config["network"]["availability_zones"] = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    dev_config["teams"][0]["accelerators"] = ["B200"]
    found = config_problems(dev_config)
    assert found[0].startswith("platform.name: 'Bad_Name' is not a valid name")
    assert "platform.gpu_pools[2].name: duplicate pool name 'inference-l4' (also gpu_pools[0])" in found
    assert "platform.network.availability_zones[0]: 'eu-west-1a' is not a zone of us-east-1" in found
    assert "platform.teams[0].accelerators[0]: no GPU pool offers 'B200' (pools offer: A10G, L4)" in found


def test_checks_that_cannot_run_are_named(dev_config):
    dev_config["name"] = "Bad_Name"
    dev_config["gpu_pools"][0]["max_nodes"] = 0
    dev_config["network"]["availability_zones"] = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    with pytest.raises(ConfigError) as info:
        load_platform_config(dev_config)
    found = [str(p) for p in info.value.problems]
    assert "platform.network.availability_zones[0]: 'eu-west-1a' is not a zone of us-east-1" in found  # still ran
    assert [str(p) for p in info.value.skipped] == [
        "platform: not checked until the problems above are fixed: duplicate pool names, "
        "instance types offered in the region, teams, fields and values of the cloud, names the cloud accepts"]
    assert str(info.value).endswith("\n  note: " + str(info.value.skipped[0]))


def test_a_section_field_error_does_not_hide_the_sections_own_checks(dev_config):
    dev_config["vector_store"] = {"kind": "qdrant", "network": "public", "replicas": "2"}
    assert config_problems(dev_config) == [
        "platform.vector_store.replicas: must be an integer (got '2')",
        "platform.vector_store.network: qdrant runs inside the cluster and is never exposed publicly",
    ]


@pytest.mark.parametrize(("where", "value", "message"), [
    (("gpu_pools", 0, "max_nodes"), "4", "must be an integer (got '4')"),
    (("gpu_pools", 0, "max_nodes"), True, "must be an integer (got true)"),
    (("gpu_pools", 0, "max_nodes"), 4.0, "must be an integer (got 4.0)"),
    (("gpu_pools", 0, "allow_unlisted_instance_types"), 1, "must be true or false (got 1)"),
    (("teams", 0, "gpus"), "0", "must be an integer (got '0')"),
    (("teams", 0, "monthly_budget_usd"), float("inf"), "must be a finite number (got inf)"),
    (("teams", 0, "monthly_budget_usd"), True, "must be a number (got true)"),
    (("network", "cidr"), 167772160, "a CIDR such as 10.40.0.0/16 (got int 167772160)"),
])
def test_types_are_strict_and_numbers_finite(dev_config, where, value, message):
    node = dev_config
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    path = "platform." + ".".join(str(k) for k in where).replace(".0.", "[0].")
    assert f"{path}: {message}" in config_problems(dev_config)


def test_reference_stacks_still_load_with_strict_types(dev_config, prod_config):
    for stack in ("aws-dev", "aws-prod", "gcp-dev", "gcp-prod"):
        load_platform_config(stack_platform(stack))
    assert load_platform_config(dev_config).teams[0].monthly_budget_usd == 1500  # an int for a float is fine


def test_a_gcp_cidr_without_room_for_the_default_ranges_is_reported_at_cidr():
    gcp = stack_platform("gcp-dev")
    gcp["network"]["cidr"] = "255.255.240.0/20"
    assert config_problems(gcp) == [
        "platform.network.cidr: no /16 follows 255.255.240.0/20 for the default pods range; give pods_cidr"]


def test_a_team_quota_beyond_what_its_pools_can_provide(dev_config):
    dev_config["teams"][0]["gpus"] = 4096  # search may use L4 pools: inference-l4, 4 nodes of at most 1 L4
    assert config_problems(dev_config) == [
        "platform.teams[0].gpus: team 'search' has a quota of 4096 GPUs, but its pools (inference-l4) can provide "
        "at most 4 (max_nodes × accelerators per node)"]
    dev_config["teams"][0]["gpus"] = 4
    load_platform_config(dev_config)
