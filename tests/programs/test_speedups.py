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


#: Plans the reference stacks and Python examples in one interpreter, in both modes, with every call the SDK makes to
#: `get_type_hints` answered by typing and by `memo_type_hints`, and every call to `unwrap_type` by the SDK's and by
#: `memo_unwrap_type`, and prints how many calls there were and how many the memos answered from what they kept;
#: exits 1 at the first answer that differs.
_EVERY_HINT = """
import gc, json, runpy, sys, typing
gc.disable()  # as in the planning subprocess; what is compared is every call's answer, not the collector's work
from pathlib import Path
from pulumi import _types
from aiplatform.offline import hints
from aiplatform.offline.engine import run_program
from aiplatform.offline.fixtures import load_fixtures
from aiplatform.offline.project import load_project, load_stack_config
calls = {"all": 0, "kept": 0, "unwrap": 0, "unwrap kept": 0}
sdk_unwrap = _types.unwrap_type
memo_unwrap = hints.memo_unwrap_type(sdk_unwrap)

def checked_unwrap(val):
    kept = id(val) in memo_unwrap.answers
    expected, got = sdk_unwrap(val), memo_unwrap(val)
    calls["unwrap"] += 1
    calls["unwrap kept"] += kept
    if got is not expected:
        sys.exit(f"unwrap_type({val!r}): {got!r} is not {expected!r}")
    return got

def checked(obj, globalns=None, localns=None, include_extras=False):
    kept = len(hints._ANSWERS)
    expected = typing.get_type_hints(obj, globalns, localns, include_extras)
    got = hints.memo_type_hints(obj, globalns, localns, include_extras)
    calls["all"] += 1
    calls["kept"] += len(hints._ANSWERS) == kept and got is not expected
    if got != expected or repr(got) != repr(expected):
        sys.exit(f"{obj!r}: {got!r} != {expected!r}")
    return got

_types.get_type_hints = checked
_types.unwrap_type = checked_unwrap
for directory, stack, fixtures in json.loads(sys.argv[1]):
    spec = load_project(directory)
    config, secrets = load_stack_config(spec, stack)
    for mode in ("preview", "up"):
        run_program(lambda: runpy.run_path(str(spec.program_dir), run_name="__main__"), project=spec.name, stack=stack,
                    config=config, secret_keys=secrets, mode=mode, fixtures=load_fixtures(fixtures), root=spec.root)
print(json.dumps(calls))
"""


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_the_type_memos_answer_every_call_of_the_reference_stacks_as_typing_and_the_sdk(cloud):
    """Every `get_type_hints` call the SDK makes while planning the reference stacks and the Python examples (both
    modes) gets typing's answer from `memo_type_hints` (equal and spelled the same), and every `unwrap_type` call the
    SDK's own answer (the same object) from `memo_unwrap_type`; most of both from what the memos kept. One process
    per cloud (the examples with the AWS stacks), so that two workers share the work."""
    import subprocess
    import sys

    targets = [[str(ROOT), stack, None] for stack in ALL_STACKS if stack.startswith(cloud)] + [
        [str(EXAMPLES / name), "dev", str(EXAMPLE_FIXTURES)] for name in PYTHON_EXAMPLES if cloud == "aws"]
    done = subprocess.run([sys.executable, "-c", _EVERY_HINT, json.dumps(targets)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    calls = json.loads(done.stdout.splitlines()[-1])
    assert calls["all"] > 1000
    assert calls["kept"] > calls["all"] // 2
    assert calls["unwrap"] > 4000
    assert calls["unwrap kept"] > calls["unwrap"] // 2
