"""Secrets stay secret: no output of any command, in any format, prints a `secure:` value unless --show-secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from aiplatform.offline.project import SECRET_PLACEHOLDER

PROGRAM = '''
import pulumi
import pulumi_aws as aws

from aiplatform.config import from_pulumi_config
from aiplatform.platform import AiPlatform

config = from_pulumi_config()
platform = AiPlatform(config.name, config)
for key, value in platform.outputs.items():
    pulumi.export(key, value)

password = pulumi.Config("db").require_secret("password")
secret = aws.secretsmanager.Secret("db", tags={"team": "ml", "cost-center": "cc-1", "environment": "dev"})
aws.secretsmanager.SecretVersion("db", secret_id=secret.id, secret_string=password)
pulumi.export("db", {"nested": {"deeper": [password]}})
'''


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "aiplatform.cli", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, env=env)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("secrets")
    (root / "Pulumi.yaml").write_text("name: secrets\nruntime: python\n")
    (root / "__main__.py").write_text(PROGRAM)
    stack = yaml.safe_load((ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text())
    stack["config"]["db:password"] = {"secure": "v1:c2VjcmV0"}
    (root / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack))
    return root


def _run_all(project: Path, runs: dict[str, tuple[str, ...]], *extra: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, args in runs.items():
        result = _cli(*args, *extra, cwd=project)
        assert result.returncode in (0, 1), (name, result.stderr)
        out[name] = result.stdout + result.stderr
    return out


PLAN_RUNS = {f"plan {f}": ("plan", "-s", "dev", "-f", f) for f in ("text", "json")}


def _outputs(project: Path) -> dict[str, str]:
    """Every format of every command (stdout, stderr and -o files alike)."""
    plan_file = project / "plan.json"
    runs = dict(PLAN_RUNS)
    runs |= {f"check {f}": ("check", "-s", "dev", "-f", f) for f in ("text", "json", "sarif", "junit", "markdown")}
    runs |= {f"cost {f}": ("cost", "-s", "dev", "-f", f) for f in ("text", "json", "markdown")}
    runs["plan -o"] = ("plan", "-s", "dev", "-f", "json", "-o", str(plan_file))
    out = _run_all(project, runs)
    out["plan -o file"] = plan_file.read_text()
    return out | _run_all(project, {"check --plan": ("check", "--plan", str(plan_file), "-f", "json"),
                                    "cost --plan": ("cost", "--plan", str(plan_file), "-f", "json")})


def test_no_output_contains_a_secret_without_show_secrets(project):
    leaks = [name for name, text in _outputs(project).items() if SECRET_PLACEHOLDER in text]
    assert leaks == []
    # the test could fail: with --show-secrets the value is there (plan JSON, the text plan's outputs)
    shown = _run_all(project, PLAN_RUNS, "--show-secrets")
    assert SECRET_PLACEHOLDER in shown["plan json"] and SECRET_PLACEHOLDER in shown["plan text"]


def test_a_secure_value_inside_the_platform_config_is_refused_with_its_path(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: secrets\nruntime: python\nmain: prog\n")
    (tmp_path / "prog").mkdir()
    (tmp_path / "prog" / "__main__.py").write_text((ROOT / "stacks" / "__main__.py").read_text())
    stack = yaml.safe_load((ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text())
    stack["config"]["aiplatform:platform"]["tags"]["owner"] = {"secure": "v1:c2VjcmV0"}
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack))
    result = _cli("plan", "-s", "dev", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "platform.tags.owner: a `secure:` value" in result.stderr, result.stderr
    assert SECRET_PLACEHOLDER not in result.stdout + result.stderr
