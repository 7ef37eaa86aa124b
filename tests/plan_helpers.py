"""Reading Kubernetes objects out of a plan, for assertions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiplatform.testing import kubernetes_manifests


def write_program(root: Path, name: str, program: str, stacks: dict[str, str]) -> Path:
    """A Python Pulumi project in `root`: `Pulumi.yaml` named `name`, `__main__.py` holding `program`, and a
    `Pulumi.<stack>.yaml` with each text of `stacks`; returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (root / "__main__.py").write_text(program)
    for stack, text in stacks.items():
        (root / f"Pulumi.{stack}.yaml").write_text(text)
    return root


def manifests_by_kind_and_name(plan) -> dict[tuple[str, str], dict[str, Any]]:
    """Every Kubernetes object of the plan (built-in kinds and custom resources) by (kind, name)."""
    return {(m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan, custom=True)} | {
        (m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan)}


_PLAN_PLATFORM = """
import json, sys
from aiplatform.config import load_platform_config
from aiplatform.platform import AiPlatform
from aiplatform.testing import plan_program
config = load_platform_config(json.loads(sys.stdin.read()))
sys.stdout.write(plan_program(lambda: AiPlatform(config.name, config)).to_json(indent=None))
"""


def plan_platform(raw: dict[str, Any]):
    """The preview plan of an `AiPlatform` with this `aiplatform:platform` value, planned in a fresh interpreter."""
    import json
    import subprocess
    import sys

    from conftest import ROOT

    from aiplatform.shape.plan import Plan

    done = subprocess.run([sys.executable, "-c", _PLAN_PLATFORM], input=json.dumps(raw), capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return Plan.from_json(done.stdout)
