"""Suppressions in the stack config: never stack-wide through platform tags, per resource through `suppress:`."""

from __future__ import annotations

import pytest
from conftest import config_problems, stack_platform

from aiplatform.config import load_platform_config, suppress_tags


def test_a_suppression_in_platform_tags_is_a_config_error_with_its_path():
    raw = stack_platform("aws-prod")
    raw["tags"]["aiplatform.io/suppress"] = "aip-security-eks-public-endpoint=contractors need access from anywhere"
    found = config_problems(raw)
    assert any(p.startswith("platform.tags['aiplatform.io/suppress']: ") and "reserved" in p for p in found), found


def test_a_gcp_label_under_the_reserved_prefix_is_refused_too():
    raw = stack_platform("gcp-dev")
    raw["tags"]["aiplatform.io/anything"] = "x"
    assert any(p.startswith("platform.tags['aiplatform.io/anything']: ") for p in config_problems(raw))


def test_a_pool_and_the_registry_take_their_own_suppress_list():
    raw = stack_platform("aws-dev")
    raw["gpu_pools"][0]["suppress"] = [{"rule": "aip-cost-gpu-spot-required", "until": "2027-01-31",
                                        "reason": "load test needs on-demand capacity, ticket ML-42"}]
    raw.setdefault("model_registry", {})["suppress"] = [
        {"rule": "aip-security-s3-access-logging", "until": "2027-01-31", "reason": "logged by the org trail already"}]
    config = load_platform_config(raw)
    assert suppress_tags(config.gpu_pools[0].suppress) == {"aiplatform.io/suppress": (
        "aip-cost-gpu-spot-required=load test needs on-demand capacity  ticket ML-42 until 2027-01-31")}
    assert config.model_registry.suppress[0].rule == "aip-security-s3-access-logging"
    assert suppress_tags(config.gpu_pools[1].suppress) == {}


@pytest.mark.parametrize(("entry", "where"), [
    ({"rule": "spot", "until": "2027-01-31", "reason": "a good reason here"}, "rule"),
    ({"rule": "aip-cost-gpu-spot-required", "until": "someday", "reason": "a good reason here"}, "until"),
    ({"rule": "aip-cost-gpu-spot-required", "reason": "a good reason here"}, "until"),
    ({"rule": "aip-cost-gpu-spot-required", "until": "2027-01-31",
      "reason": "ok; aip-security-eks-public-endpoint=smuggled"}, "reason"),
])
def test_a_bad_suppress_entry_is_named(entry, where):
    raw = stack_platform("aws-dev")
    raw["gpu_pools"][0]["suppress"] = [entry]
    assert any(p.startswith(f"platform.gpu_pools[0].suppress[0].{where}: ") for p in config_problems(raw)), config_problems(raw)


def test_gcp_refuses_suppress_lists_it_cannot_carry():
    raw = stack_platform("gcp-dev")
    raw["gpu_pools"][0]["suppress"] = [{"rule": "aip-cost-gpu-spot-required", "until": "2027-01-31",
                                        "reason": "load test needs on-demand capacity"}]
    assert any(p.startswith("platform.gpu_pools[0].suppress: does not apply to cloud gcp") for p in config_problems(raw))


@pytest.mark.parametrize("until", ["31-01-2027", "2027-02-30", 20270131, True])
def test_a_suppression_expiry_must_be_an_iso_date(until):
    raw = stack_platform("aws-dev")
    raw["gpu_pools"][0]["suppress"] = [{"rule": "aip-cost-gpu-spot-required", "until": until,
                                        "reason": "load test needs on-demand capacity, ticket ML-42"}]
    assert any(p.startswith("platform.gpu_pools[0].suppress[0].until: ") for p in config_problems(raw))
