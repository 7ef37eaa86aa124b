"""The plan cache the test suite uses (`offline.runner.CACHE_ENV`): a plan of the same input is read back, any
change to the input (config, program source, settings) plans again, and without the variable nothing is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiplatform.offline import runner
from aiplatform.offline.runner import CACHE_ENV, plan_project
from tests.plan_helpers import write_program

PROGRAM = "import pulumi\npulumi.export('greeting', pulumi.Config().get('word') or 'hello')\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_program(tmp_path, "cached", PROGRAM, {"dev": "config:\n  cached:word: hi\n"})


def test_the_same_input_is_planned_once_and_any_change_plans_again(project, tmp_path_factory, monkeypatch):
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv(CACHE_ENV, str(cache))
    runs: list[dict] = []
    real = runner._run
    monkeypatch.setattr(runner, "_run", lambda request, *a: runs.append(request) or real(request, *a))

    first = plan_project(project, "dev")
    again = plan_project(project, "dev")
    assert len(runs) == 1 and len(list(cache.glob("*.json"))) == 1
    assert first.outputs == again.outputs == {"greeting": "hi"}

    plan_project(project, "dev", config_overrides={"cached:word": "hey"})  # the config
    (project / "__main__.py").write_text(PROGRAM.replace("hello", "hallo"))  # the program's source
    plan_project(project, "dev")
    monkeypatch.setenv("AIPLATFORM_PLAN_SPEEDUPS", "0")  # a setting of the planning subprocess
    plan_project(project, "dev")
    assert len(runs) == 4 and len(list(cache.glob("*.json"))) == 4


def test_without_the_variable_every_plan_runs_the_program(project, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    runs: list[dict] = []
    real = runner._run
    monkeypatch.setattr(runner, "_run", lambda request, *a: runs.append(request) or real(request, *a))
    plan_project(project, "dev")
    plan_project(project, "dev")
    assert len(runs) == 2
