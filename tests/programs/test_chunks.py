"""A chunked plan is the one-run plan: the same resources, each the same record, the same outputs and diagnostics.

A reference stack with three more GPU pools (five) is planned in runs of two pools
(`AIPLATFORM_PLAN_CHUNK_POOLS=2`: three runs, each in a process of its own) and in one run
(`=0`), and the plans are compared by URN (`test_speedups.assert_same`: inputs, parents,
providers, dependencies, property dependencies, protect, aliases, outputs, source positions),
in both modes on AWS and in preview on GCP. The merged plan lists the later runs' pools after
the first run's resources, which is how the tests tell that the plan was chunked at all.
"""

from __future__ import annotations

import copy

import pytest

from aiplatform.offline import ProgramError, plan_project
from aiplatform.offline.chunks import ENV
from tests.conftest import ROOT, stack_platform
from tests.plan_helpers import write_program
from tests.programs.test_speedups import assert_same


def _five_pools(stack):
    platform = stack_platform(stack)
    for i in range(3):
        pool = copy.deepcopy(platform["gpu_pools"][0])
        pool["name"] = f"extra-{i}"
        platform["gpu_pools"].append(pool)
    return {"aiplatform:platform": platform}


def _plan(monkeypatch, stack, mode, pools_per_run):
    monkeypatch.setenv(ENV, str(pools_per_run))
    return plan_project(ROOT, stack, mode=mode, config_overrides=_five_pools(stack))


@pytest.mark.parametrize(("stack", "mode"), [("aws-dev", "preview"), ("aws-dev", "up"), ("gcp-dev", "preview")])
def test_a_chunked_plan_is_the_one_run_plan(monkeypatch, stack, mode):
    chunked, whole = _plan(monkeypatch, stack, mode, 2), _plan(monkeypatch, stack, mode, 0)
    assert_same(chunked, whole)
    last_pool = f"{stack_platform(stack)['name']}-extra-2"
    pools = "aiplatform:index:EksGpuNodePool" if stack.startswith("aws") else "aiplatform:index:GkeGpuNodePool"
    # The third run registered only the last pool: its subtree closes the chunked plan, not the one-run plan.
    assert chunked.resources[-1].urn.split("::")[2].startswith(f"aiplatform:index:AiPlatform${pools}")
    assert f"{last_pool}" in chunked.resources[-1].urn
    assert [r.urn for r in chunked.resources] != [r.urn for r in whole.resources]


def test_a_chunked_plan_is_byte_stable(monkeypatch):
    first, second = (_plan(monkeypatch, "aws-dev", "preview", 2) for _ in range(2))
    assert first.to_json() == second.to_json()


AWS_DEV = (ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text()
PROGRAM = """
import pulumi
from aiplatform.config import from_pulumi_config
from aiplatform.platform import AiPlatform

config = from_pulumi_config()
platform = AiPlatform(config.name, config)
pulumi.export("lastNodeGroup", platform.gpu_pools["extra-2"].node_group.node_group_name)
"""


def test_a_program_that_reads_a_pools_resources_is_told_how_to_plan_it(monkeypatch, tmp_path):
    write_program(tmp_path, "reads-pools", PROGRAM, {"aws-dev": AWS_DEV})
    monkeypatch.setenv(ENV, "2")
    with pytest.raises(ProgramError) as caught:
        plan_project(tmp_path, "aws-dev", config_overrides=_five_pools("aws-dev"))
    assert "the GPU pool 'ml-dev-extra-2' is described here, not created, so it has no 'node_group'" in str(caught.value)
    assert "AIPLATFORM_PLAN_CHUNK_POOLS=0" in str(caught.value)
    monkeypatch.setenv(ENV, "0")
    plan = plan_project(tmp_path, "aws-dev", config_overrides=_five_pools("aws-dev"))
    assert "lastNodeGroup" in plan.outputs


def test_a_run_that_dies_is_reported_as_the_one_run_would_be(monkeypatch, tmp_path):
    write_program(tmp_path, "dies", "import os, sys\nprint('out of memory, say', file=sys.stderr)\n"
                                    "sys.stderr.flush()\nos._exit(3)\n", {"aws-dev": AWS_DEV})
    messages = []
    for pools_per_run in ("2", "0"):
        monkeypatch.setenv(ENV, pools_per_run)
        with pytest.raises(ProgramError) as caught:
            plan_project(tmp_path, "aws-dev", config_overrides=_five_pools("aws-dev"))
        messages.append(str(caught.value))
    assert messages[0] == messages[1] == "the program's process ended without a result (exit 3):\nout of memory, say"
