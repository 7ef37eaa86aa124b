"""The test suite's plan server (`offline.planserver`) plans what a fresh planning subprocess plans.

A child forked from the server must give the same plan JSON, the same exit and output of a failing program, and
the program the same working directory and environment as `python -m aiplatform.offline._child`; a request the
server cannot serve (another interpreter) falls back to a fresh subprocess.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from aiplatform.offline import plan_project, planserver
from aiplatform.offline.errors import ProgramError
from aiplatform.offline.runner import CACHE_ENV
from tests.conftest import ROOT
from tests.plan_helpers import write_program

PROGRAM = """import os, sys
import pulumi
pulumi.export("cwd", os.getcwd())
pulumi.export("word", os.environ.get("PLANSERVER_WORD"))
pulumi.export("path", sys.path[:4])
if os.environ.get("PLANSERVER_DIE"):
    print("dying on purpose", file=sys.stderr, flush=True)
    os._exit(3)
"""


@pytest.fixture(scope="module")
def server():
    scratch = Path(tempfile.mkdtemp(prefix="aiplatform-planserver-test-"))
    address, key = str(scratch / "socket"), secrets.token_hex(8)
    proc = subprocess.Popen([sys.executable, "-m", "aiplatform.offline.planserver", address], cwd=scratch,
                            env={**os.environ, planserver.KEY_ENV: key})
    deadline = time.monotonic() + 120
    while not Path(address).exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the plan server did not start"
        time.sleep(0.05)
    yield address, key
    planserver.stop(address, key)
    proc.wait(timeout=30)


@pytest.fixture
def served(server, monkeypatch):
    """Plans go through the module's server (not the session's), uncached; the list records each served run."""
    address, key = server
    monkeypatch.setenv(planserver.ENV, address)
    monkeypatch.setenv(planserver.KEY_ENV, key)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    runs: list[tuple[int, str]] = []
    real = planserver.submit
    monkeypatch.setattr(planserver, "submit", lambda *a: (lambda r: r if r is None else runs.append(r) or r)(real(*a)))
    return runs


def _fresh(monkeypatch) -> None:
    monkeypatch.delenv(planserver.ENV, raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_program(tmp_path, "served", PROGRAM, {"dev": "config: {}\n"})


def test_a_served_reference_plan_is_byte_identical_to_a_fresh_one(served, monkeypatch):
    by_server = json.dumps(plan_project(ROOT, "aws-dev").to_dict())
    assert len(served) == 1
    _fresh(monkeypatch)
    assert json.dumps(plan_project(ROOT, "aws-dev").to_dict()) == by_server
    assert len(served) == 1


def test_the_program_sees_the_requests_directory_environment_and_path(served, monkeypatch, project):
    monkeypatch.setenv("PLANSERVER_WORD", "served")
    monkeypatch.setenv("PYTHONPATH", str(project / "lib"))
    by_server = plan_project(project, "dev").outputs
    _fresh(monkeypatch)
    fresh = plan_project(project, "dev").outputs
    assert len(served) == 1
    assert by_server == fresh
    assert by_server["cwd"] == str(project) and by_server["word"] == "served"
    assert by_server["path"][0] == str(project) and by_server["path"][-1] == str(project / "lib")


def test_a_child_that_dies_reports_its_exit_and_output_like_a_subprocess(served, monkeypatch, project):
    monkeypatch.setenv("PLANSERVER_DIE", "1")
    with pytest.raises(ProgramError) as by_server:
        plan_project(project, "dev")
    _fresh(monkeypatch)
    with pytest.raises(ProgramError) as fresh:
        plan_project(project, "dev")
    assert len(served) == 1
    assert str(by_server.value) == str(fresh.value)
    assert "(exit 3)" in str(fresh.value) and "dying on purpose" in str(fresh.value)


def test_a_request_from_another_interpreter_is_refused_and_planned_fresh(served, monkeypatch, project):
    real = planserver._identity
    monkeypatch.setattr(planserver, "_identity", lambda: {**real(), "executable": "/elsewhere/python"})
    assert plan_project(project, "dev").outputs["cwd"] == str(project)
    assert served == []  # refused: the runner started its own subprocess
