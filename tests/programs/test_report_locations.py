"""SARIF and Markdown reports: findings at the stack file's line that configures the resource, docs links on a
configurable base, the summary on one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_sarif_points_at_the_pool_and_team_lines_of_the_stack_file(tmp_path: Path):
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    stack = tmp_path / "stacks" / "Pulumi.aws-dev.yaml"
    stack.write_text(stack.read_text().replace("g5.12xlarge", "p5.48xlarge").replace("A10G", "H100"))
    lines = stack.read_text().splitlines()
    out = tmp_path / "check.sarif"
    result = subprocess.run([sys.executable, "-m", "aiplatform.cli", "check", "-s", "aws-dev", "-f", "sarif", "-o",
                             str(out), "--docs-url", "https://docs.example.com/guardrails.md"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    # the summary is one line, not wrapped at 80 (config warnings, such as the EKS support window, come before it)
    summary = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning: ")]
    assert len(summary) == 1 and "FAILED" in summary[0]
    run = json.loads(out.read_text())["runs"][0]
    by_rule = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in run["results"]}
    pool = by_rule["aip-cost-accelerator-allowed"]
    assert pool["artifactLocation"]["uri"] == "stacks/Pulumi.aws-dev.yaml"
    assert lines[pool["region"]["startLine"] - 1].strip() == "- name: training-a10g"
    team = by_rule["aip-cost-team-budget"]
    assert lines[team["region"]["startLine"] - 1].strip() == "- name: assistants"
    stack_wide = by_rule["aip-cost-stack-max-accelerators"]
    assert lines[stack_wide["region"]["startLine"] - 1].strip() == "aiplatform:platform:"
    assert all(r["helpUri"].startswith("https://docs.example.com/guardrails.md#aip-")
               for r in run["tool"]["driver"]["rules"])
