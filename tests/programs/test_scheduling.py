"""Every accelerator workload of every plan lands on some GPU pool of its platform (DESIGN.md, "Scheduling")."""

from __future__ import annotations

import json

import pytest
from conftest import ALL_STACKS, PYTHON_EXAMPLES

from aiplatform.scheduling import node_pools, workloads
from aiplatform.testing import unschedulable

#: The platform stack each example's fixtures come from (examples/platform-fixtures.yaml).
EXAMPLE_PLATFORM = "aws-dev"


@pytest.mark.parametrize("mode", ["preview", "up"])
@pytest.mark.parametrize("example", PYTHON_EXAMPLES)
def test_every_example_workload_fits_a_pool_of_the_platform(example, mode, plans):
    by_mode = plans.preview if mode == "preview" else plans.up
    team, platform = by_mode.example(example), plans.up[EXAMPLE_PLATFORM]
    assert workloads(team), "the example requests accelerators: the check must have something to check"
    assert unschedulable(team, platform) == []


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_every_reference_platform_has_gpu_pools_and_no_stranded_workload(stack, plans):
    plan = plans.up[stack]
    assert node_pools(plan), "every reference platform has GPU pools"
    assert unschedulable(plan) == []


def test_the_examples_would_be_stranded_on_a_platform_whose_pools_lost_their_accelerator_label(plans):
    """The scheduling proof fails when the pools stop saying what they carry (issue 16 point 7's symptom)."""
    from aiplatform.shape.plan import Plan

    data = json.loads(plans.up[EXAMPLE_PLATFORM].to_json())  # a copy: the session's shared plan stays intact
    for row in data["resources"]:
        if row["type"] == "aws:eks/nodeGroup:NodeGroup":
            row["inputs"].get("labels", {}).pop("aiplatform.io/accelerator", None)
    stripped = Plan.from_dict(data)
    problems = unschedulable(plans.preview.example("team-rag"), stripped)
    assert len(problems) == 2 and all("no GPU pool can run it" in p for p in problems)
