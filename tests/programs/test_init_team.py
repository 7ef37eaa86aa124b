"""`aiplatform fixtures` and `aiplatform init team`: a team project that plans, checks and tests offline as
generated, and docs/teams.md's commands run as written."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from aiplatform.offline.errors import PlanInputError
from aiplatform.offline.scaffold import FIXTURES_FILE, platform_fixtures_text, team_project
from aiplatform.shape.props import is_secret

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=ENV)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "aiplatform.cli", *args], cwd)


def test_fixtures_are_the_up_mode_output_with_secrets_as_placeholders(plans):
    plan = plans.up["aws-dev"]
    text = platform_fixtures_text(plan, "acme/aiplatform/aws-dev")
    data = yaml.safe_load(text)
    output = data["stack_references"]["acme/aiplatform/aws-dev"]["aiplatform"]
    assert output["cluster"]["kubeconfig"] == "offline-secret-placeholder"
    assert is_secret(plan.outputs["aiplatform"]["cluster"]["kubeconfig"])
    assert "# aiplatform.cluster.kubeconfig: a secret, written as a placeholder" in text
    assert set(output["teams"]) == {"search", "assistants"} and output["gateway"]["requestsPerMinute"] == 300
    with pytest.raises(PlanInputError, match="no `aiplatform` output"):
        platform_fixtures_text(plans.up.example("team-rag"), "a/b/c")
    with pytest.raises(PlanInputError, match="unknown in this plan"):
        platform_fixtures_text(plans.preview["aws-dev"], "acme/aiplatform/aws-dev")


def test_init_refuses_an_unknown_team_with_the_closest_name_and_bad_names(plans):
    plan = plans.up["aws-dev"]
    with pytest.raises(PlanInputError, match=r"no team 'serch' \(did you mean 'search'\?\) \(its teams: assistants, search\)"):
        team_project("serch", "acme/aiplatform/aws-dev", plan)
    with pytest.raises(PlanInputError, match="ORG/PROJECT/STACK"):
        team_project("search", "aws-dev", plan)
    with pytest.raises(PlanInputError, match="NAME: lowercase"):
        team_project("Search_Team", "acme/aiplatform/aws-dev", plan, team="search")
    files = team_project("chat-svc", "acme/aiplatform/aws-dev", plan, team="assistants")
    assert "chat-svc:team: assistants" in files["Pulumi.dev.yaml"]
    assert '"accelerator": "L4",' in files["__main__.py"] and "teams/assistants/chat/my-model/v1" in files["__main__.py"]
    assert files["requirements.txt"].startswith("aiplatform[kubernetes]==")


def test_init_team_plans_checks_and_tests_as_generated(tmp_path: Path):
    result = cli("init", "team", "search", "--platform", "acme/aiplatform/aws-dev", "-C", str(ROOT), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "search"
    assert {p.name for p in project.iterdir()} >= {"Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py", "requirements.txt",
                                                   FIXTURES_FILE, "tests"}
    plan = cli("plan", cwd=project)  # its only stack, its own fixtures file
    assert plan.returncode == 0, plan.stderr
    assert "search / dev (preview)" in plan.stdout and "Deployment search/chat" in plan.stdout
    check = cli("check", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    tests = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout
    again = cli("init", "team", "search", "--platform", "acme/aiplatform/aws-dev", "-C", str(ROOT), cwd=tmp_path)
    assert again.returncode == 2 and "not an empty directory" in again.stderr and "Traceback" not in again.stderr


def doc_commands() -> list[str]:
    """The commands of docs/teams.md's tested block (between `<!-- tested: ... -->` and the closing fence)."""
    text = (ROOT / "docs" / "teams.md").read_text()
    block = re.search(r"<!-- tested: tests/programs/test_init_team.py -->\n```(?:sh|bash)\n(.*?)```", text, re.S)
    assert block, "docs/teams.md has no tested command block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_teams_doc_commands_run_as_written(tmp_path: Path):
    platform = tmp_path / "aiplatform"  # the platform repository, as the doc's commands expect beside the team's
    platform.mkdir()
    (platform / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    shutil.copytree(ROOT / "stacks", platform / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    cwd = tmp_path
    commands = doc_commands()
    assert any(c.startswith("aiplatform init team") for c in commands) and "python -m pytest -q" in commands
    for command in commands:
        argv = shlex.split(command)
        if argv[0] == "cd":
            cwd = (cwd / argv[1]).resolve()
            continue
        argv = [sys.executable, "-m", "aiplatform.cli", *argv[1:]] if argv[0] == "aiplatform" else \
            [sys.executable, *argv[1:]] if argv[0] == "python" else argv
        result = _run(argv, cwd)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
