"""The wheel: it builds without warnings of ours, carries the package's data files and the one version, and an
install of it alone (no source tree on the path) plans a reference stack and a generated team project and runs
that project's tests.

The fresh venv gets the wheel with `--no-deps`; its dependencies come from this environment's site-packages
through a `.pth` line (downloading ~600 MB of provider SDKs per run would make the test about the network).
`pip check` then proves the wheel's declared requirements are what that environment satisfies, and the test
asserts `aiplatform` itself is imported from the venv, not from this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from conftest import ROOT

from aiplatform import __version__

#: Our own warnings, as a build or a user's pytest run would print them.
OURS = ("aiplatform", "License classifiers", "project.license", "SetuptoolsDeprecationWarning")


def _env() -> dict[str, str]:
    # no plan cache or plan server either: every plan here runs the installed wheel's planning subprocess
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PULUMI_CONFIG", "AIPLATFORM_PLAN_CACHE", "AIPLATFORM_PLAN_SERVER")}


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=_env(), timeout=600)


def _tracked_data_files() -> set[str]:
    """Every file of the package that is not Python source (catalogs, default outputs, the taggable list...)."""
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "aiplatform").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (a build writes `build/` and `*.egg-info` next to them)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "aiplatform", src / "aiplatform", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(src)], src)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    log = built.stdout + built.stderr
    assert not [line for line in log.splitlines() if "warning" in line.lower() and any(w in line for w in OURS)], log
    assert "SetuptoolsDeprecationWarning" not in log and "deprecated" not in log.lower(), log
    (found,) = dist.glob("aiplatform-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed and this environment's dependencies on its path."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(where)], where.parent)
    assert made.returncode == 0, made.stderr
    python = where / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                        where).stdout.strip())
    (purelib / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    installed = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                      "--quiet", str(wheel)], where)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "warning" not in (installed.stdout + installed.stderr).lower(), installed.stdout + installed.stderr
    return where


def test_the_wheel_has_the_data_files_and_the_one_version(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(archive.read(metadata).decode())
    missing = _tracked_data_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    assert "aiplatform/catalog/data/aws_instances.yaml" in names and "aiplatform/offline/default_outputs.yaml" in names
    assert not [n for n in names if n.startswith(("tests/", "stacks/", "examples/", "tools/"))]
    assert meta["Version"] == __version__ and wheel.name.startswith(f"aiplatform-{__version__}-")
    assert meta["License-Expression"] == "Apache-2.0"  # the SPDX form: no license deprecation warning
    assert {"aws", "gcp", "kubernetes", "all"} <= set(meta.get_all("Provides-Extra"))


def test_the_installed_wheel_plans_a_reference_stack_and_a_team_project(venv: Path, tmp_path: Path):
    python, cli = venv / "bin" / "python", venv / "bin" / "aiplatform"
    where = _run([str(python), "-c", "import aiplatform; print(aiplatform.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr  # not this checkout
    checked = _run([sys.executable, "-m", "pip", "--python", str(python), "check"], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    version = _run([str(cli), "--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"aiplatform {__version__}", version.stdout

    platform = tmp_path / "platform"
    platform.mkdir()
    shutil.copy2(ROOT / "Pulumi.yaml", platform / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", platform / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    plan = _run([str(cli), "plan", "--stack", "aws-dev"], platform)
    assert plan.returncode == 0, plan.stdout[-2000:] + plan.stderr[-2000:]
    assert "aws-dev (preview)" in plan.stdout and "EksCluster" in plan.stdout

    init = _run([str(cli), "init", "team", "search", "--platform", "acme/aiplatform/aws-dev", "-C", str(platform)],
                tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    team = tmp_path / "search"
    team_plan = _run([str(cli), "plan"], team)
    assert team_plan.returncode == 0 and "Deployment search/chat" in team_plan.stdout, team_plan.stderr
    tests = _run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", "tests"], team)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout and "warning" not in tests.stdout.lower(), tests.stdout


def test_the_release_workflow_example_builds_tests_then_publishes_with_trusted_publishing():
    import yaml

    text = (ROOT / "examples" / "ci" / "release.yml").read_text()
    flow = yaml.safe_load(text)
    jobs = flow["jobs"]
    assert list(jobs) == ["build", "test", "publish"]
    assert jobs["test"]["needs"] == "build" and jobs["publish"]["needs"] == "test"
    assert flow["permissions"] == {"contents": "read"}
    assert jobs["publish"]["permissions"] == {"id-token": "write"}  # OIDC only where it publishes; no token secret
    assert [s["uses"] for s in jobs["publish"]["steps"]][-1].startswith("pypa/gh-action-pypi-publish@")
    assert "secrets." not in text  # no API token
    assert "this project has not\n# published a release with it" in text  # an example, not a claim
    # the tag check reads the one version the wheel's metadata and `--version` use
    read = next(s["run"] for s in jobs["build"]["steps"] if s.get("name") == "The tag is the version")
    command = read.split("$(", 1)[1].split(")\n", 1)[0]
    assert command.startswith("python -c ")
    got = subprocess.run([sys.executable, "-c", command.removeprefix("python -c ").strip('"')], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert got.stdout.strip() == __version__
