"""examples/ci/guardrails.yml: it discovers the stacks, and a stack new in the pull request gets a cost diff
against an empty baseline instead of failing before the SARIF and comment steps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

WORKFLOW = yaml.safe_load((ROOT / "examples" / "ci" / "guardrails.yml").read_text())


def _step(job: str, name_starts: str) -> dict:
    return next(s for s in WORKFLOW["jobs"][job]["steps"] if s.get("name", "").startswith(name_starts) or
                s.get("id") == name_starts)


def _bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    bindir = cwd.parent / "bin"
    bindir.mkdir(exist_ok=True)
    shim = bindir / "aiplatform"  # the workflow calls `aiplatform`: this checkout's, with this interpreter
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m aiplatform.cli "$@"\n')
    shim.chmod(0o755)
    environ = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]), **env}
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, capture_output=True, text=True, check=False,
                          env=environ)


def test_the_matrix_is_every_stack_of_the_head(tmp_path: Path):
    head = tmp_path / "head"
    shutil.copytree(ROOT / "stacks", head / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(head / "stacks" / "Pulumi.aws-dev.yaml", head / "stacks" / "Pulumi.aws-staging.yaml")
    out = tmp_path / "github-output"
    result = _bash(_step("stacks", "list")["run"], head, GITHUB_OUTPUT=str(out))
    assert result.returncode == 0, result.stderr
    assert WORKFLOW["jobs"]["check"]["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    stacks = json.loads(out.read_text().strip().removeprefix("stacks="))
    assert stacks == ["aws-dev", "aws-prod", "aws-staging", "gcp-dev", "gcp-prod"]


def test_a_stack_new_in_the_pull_request_is_priced_against_an_empty_baseline(tmp_path: Path):
    head, base = tmp_path / "head", tmp_path / "base"
    shutil.copy(ROOT / "Pulumi.yaml", head.mkdir() or head / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", head / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(head / "stacks" / "Pulumi.aws-dev.yaml", head / "stacks" / "Pulumi.aws-new.yaml")
    shutil.copytree(ROOT / "stacks", base / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    step = _step("check", "Cost of the change")
    script = step["run"].replace("${{ matrix.stack }}", "aws-new").replace(
        "${{ github.event.pull_request.base.sha }}", "HEAD")
    result = _bash(script, head)
    assert result.returncode == 0, result.stderr
    text = (head / "cost-aws-new.md").read_text()
    assert "will increase by" in text and "from $0.00" in text
    for later in ("Upload SARIF", "Comment on the pull request", "Comment the cost diff"):
        assert _step("check", later).get("if") == "always()", later
