"""The planning subprocess's speed-ups (`offline/speedups.py`) change how fast, never what is planned.

Every reference stack and Python example, in both modes, is planned with the speed-ups (the
shared `plans` fixture) and without them (`AIPLATFORM_PLAN_SPEEDUPS=0`), and the whole plans are
compared: resources with their inputs, URNs, parents, providers, dependencies, property
dependencies, protect, aliases, outputs and source positions; the stack outputs; the diagnostics.
Without the speed-ups the SDK's thread pool records resources in a varying order, so the
comparison is by URN; with them the plan JSON is byte-stable, which the last tests check. Plans come
from the test suite's plan server (`offline.planserver`: children forked after the SDK imports), except
the byte-stability tests' own runs: those run in fresh interpreters, as a user's plan does, and so also
prove the server's plans the same as a fresh subprocess's.
"""

from __future__ import annotations

import json

import pytest

from aiplatform.offline import plan_project, planserver
from aiplatform.offline.runner import CACHE_ENV
from aiplatform.offline.speedups import ENV
from aiplatform.shape.plan import Plan
from tests.conftest import ALL_STACKS, EXAMPLE_FIXTURES, EXAMPLES, PYTHON_EXAMPLES, ROOT

MODES = ("preview", "up")


def canonical(plan: Plan) -> dict:
    data = plan.to_dict()
    resources = {row["urn"]: row for row in data.pop("resources")}
    data["diagnostics"] = sorted(json.dumps(d, sort_keys=True) for d in data["diagnostics"])
    return {"resources": resources, **data}


def assert_same(fast: Plan, slow: Plan) -> None:
    a, b = canonical(fast), canonical(slow)
    assert a["resources"].keys() == b["resources"].keys()
    for urn, row in a["resources"].items():
        assert row == b["resources"][urn], urn
    assert a == b
    # The comparison covers source positions: the program's resources have them.
    assert sum(1 for r in fast.resources if r.source is not None) > len(fast.resources) // 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stack", ALL_STACKS)
def test_stack_plans_the_same_without_speedups(plans, monkeypatch, stack, mode):
    fast = getattr(plans, mode)[stack]  # planned with the speed-ups, before the switch is set
    monkeypatch.setenv(ENV, "0")
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert_same(fast, plan_project(ROOT, stack, mode=mode))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", PYTHON_EXAMPLES)
def test_example_plans_the_same_without_speedups(plans, monkeypatch, name, mode):
    fast = getattr(plans, mode).example(name)  # planned with the speed-ups, before the switch is set
    monkeypatch.setenv(ENV, "0")
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert_same(fast, plan_project(EXAMPLES / name, "dev", mode=mode, fixtures=EXAMPLE_FIXTURES))


@pytest.mark.parametrize(("stack", "mode"), [("aws-dev", "preview"), ("gcp-prod", "up")])
def test_plan_json_is_byte_stable(plans, monkeypatch, stack, mode):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delenv(CACHE_ENV, raising=False)  # a real run in a fresh interpreter, next to the session's own
    monkeypatch.delenv(planserver.ENV, raising=False)
    fresh = json.dumps(plan_project(ROOT, stack, mode=mode).to_dict())
    assert json.dumps(getattr(plans, mode)[stack].to_dict()) == fresh  # the session's plan: another run


def test_example_plan_json_is_byte_stable(plans, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv(planserver.ENV, raising=False)
    name = PYTHON_EXAMPLES[0]
    first = json.dumps(plan_project(EXAMPLES / name, "dev", mode="up", fixtures=EXAMPLE_FIXTURES).to_dict())
    assert json.dumps(plans.up.example(name).to_dict()) == first
