"""The planning subprocess the CLI starts before its own imports (`aiplatform._prestart`): the same plan, the
same errors, and nothing left behind when the CLI exits without planning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiplatform import _prestart
from aiplatform.offline import planserver
from aiplatform.offline.runner import CACHE_ENV
from tests.plan_helpers import write_program

PROGRAM = """import os, sys
import pulumi
word = pulumi.Config().get("word")
if word == "fail":
    raise pulumi.RunError("the program says no")
pulumi.export("cwd", os.getcwd())
pulumi.export("path", sys.path[:2])
pulumi.export("argv", [os.path.basename(arg) for arg in sys.argv[1:]])  # temporary paths
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_program(tmp_path / "project", "early", PROGRAM,
                         {"dev": "config:\n  early:word: hi\n", "bad": "config:\n  early:word: fail\n"})


def _cli(args: list[str], cwd: Path, tmpdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in (CACHE_ENV, _prestart.ENV, planserver.ENV)}
    environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in environ.get("PYTHONPATH", "").split(os.pathsep)
                                            if p)
    return subprocess.run([sys.executable, "-m", "aiplatform.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**environ, "TMPDIR": str(tmpdir), **env}, timeout=300)


def _left_behind(tmpdir: Path) -> list[str]:
    """Directories in `tmpdir`, and processes whose command line names it."""
    found = [p.name for p in tmpdir.iterdir()]
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if str(tmpdir).encode() in (proc / "cmdline").read_bytes():
                found.append(f"pid {proc.name}")
        except OSError:
            continue
    return found


@pytest.mark.parametrize(("argv", "wanted"), [
    (["plan"], True), (["plan", "-s", "dev", "--format", "json"], True), (["check", "-s", "dev"], True),
    (["cost"], True), (["check", "--plan", "p.json"], False), (["cost", "--plan=p.json"], False),
    (["plan", "--help"], False), (["schema"], False), (["fixtures"], False), ([], False), (["--version"], False),
])
def test_only_a_command_that_plans_a_project_starts_early(argv, wanted, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])  # as the console script has it: not this tree first
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv(planserver.ENV, raising=False)
    monkeypatch.delenv(_prestart.ENV, raising=False)
    assert _prestart.wanted(argv) is wanted
    monkeypatch.setenv(planserver.ENV, "/nowhere/socket")  # the test suite's plan server forks the plans
    assert _prestart.wanted(argv) is False
    monkeypatch.delenv(planserver.ENV)
    monkeypatch.setenv(_prestart.ENV, "0")
    assert _prestart.wanted(argv) is False
    monkeypatch.delenv(_prestart.ENV)
    monkeypatch.setenv(CACHE_ENV, "/nowhere")  # the test suite's cache: most plans are read, not run
    assert _prestart.wanted(argv) is False
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("PYTHONPATH", f"/abs{os.pathsep}.")  # resolved against the program's directory, not known yet
    assert _prestart.wanted(argv) is False
    monkeypatch.setenv("PYTHONPATH", f"/abs{os.pathsep}/other")
    assert _prestart.wanted(argv) is wanted
    source_tree = str(Path(_prestart.__file__).resolve().parent.parent)
    monkeypatch.setattr(sys, "path", [source_tree, *sys.path[1:]])  # `python -m aiplatform.cli` in a source tree
    assert _prestart.wanted(argv) is False
    monkeypatch.setenv("PYTHONPATH", source_tree)  # where the child finds it too
    assert _prestart.wanted(argv) is wanted


def test_a_plan_started_early_is_the_plan_started_late_byte_for_byte(project, tmp_path):
    elsewhere, tmpdir = tmp_path / "elsewhere", tmp_path / "tmp"
    elsewhere.mkdir()
    tmpdir.mkdir()
    args = ["plan", "-C", str(project), "-s", "dev", "--format", "json"]
    early = _cli(args, elsewhere, tmpdir)
    late = _cli(args, elsewhere, tmpdir, **{_prestart.ENV: "0"})
    assert early.returncode == late.returncode == 0, early.stderr
    assert early.stdout == late.stdout and early.stderr == late.stderr
    # the program ran where a child started in its directory runs, with that directory first on sys.path
    assert f'"cwd": "{project}"' in early.stdout and f'"{project}",\n' in early.stdout
    assert '"request.json",' in early.stdout  # its argv names the request and the result
    assert _left_behind(tmpdir) == []


def test_a_failing_program_fails_the_same_way_started_early(project, tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    args = ["plan", "-C", str(project), "-s", "bad"]
    early = _cli(args, project, tmpdir)
    late = _cli(args, project, tmpdir, **{_prestart.ENV: "0"})
    assert early.returncode == late.returncode == 1
    assert "the program says no" in early.stderr and early.stderr == late.stderr
    assert _left_behind(tmpdir) == []


@pytest.mark.parametrize("args", [["plan", "-s", "nope"], ["plan", "--format", "yaml"],
                                  ["plan", "-o", "/nonexistent/dir/plan.txt"]])
def test_a_cli_that_exits_before_planning_leaves_no_process_nor_directory(project, tmp_path, args):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    done = _cli([*args, "-C", str(project)], project, tmpdir)
    assert done.returncode == 2, done.stderr
    assert _left_behind(tmpdir) == []
