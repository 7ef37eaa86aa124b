"""Team onboarding: the StackReference fixture a team stack needs, and a team project that plans as generated.

`aiplatform fixtures` writes `platform_fixtures_text(plan, ref)`: the platform's `aiplatform` output from an
up-mode plan, under `stack_references: {ref: ...}`, every secret (the kubeconfig) as a placeholder.
`aiplatform init team` writes `team_project(...)`: Pulumi.yaml, `__main__.py` (PlatformRef + InferenceService),
Pulumi.dev.yaml, requirements.txt pinning this aiplatform, the fixtures file and a pytest.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .._version import __version__
from ..labels import SECRET_PLACEHOLDER
from ..problems import did_you_mean
from ..shape.plan import Plan
from ..shape.props import is_secret, is_unknown
from .errors import PlanInputError

#: The output a team stack reads (`aiplatform.platform_ref.OUTPUT_NAME`; restated: offline imports no platform).
OUTPUT_NAME = "aiplatform"
FIXTURES_FILE = "platform-fixtures.yaml"
STACK_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
PROJECT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,48}[a-z0-9]$")


def _placeholders(value: Any, path: str, found: list[str]) -> Any:
    if is_secret(value):
        found.append(path)
        return SECRET_PLACEHOLDER
    if is_unknown(value):
        raise PlanInputError(f"{path}: unknown in this plan (plan the platform in up mode)")
    if isinstance(value, dict):
        return {k: _placeholders(v, f"{path}.{k}", found) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, f"{path}[{i}]", found) for i, v in enumerate(value)]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def platform_output(plan: Plan) -> tuple[dict[str, Any], list[str]]:
    """The `aiplatform` output of an up-mode platform plan, secrets replaced; and the paths of those secrets."""
    if OUTPUT_NAME not in plan.outputs:
        raise PlanInputError(f"stack {plan.stack}: no `{OUTPUT_NAME}` output (is it an AiPlatform stack?)")
    found: list[str] = []
    return _placeholders(plan.outputs[OUTPUT_NAME], OUTPUT_NAME, found), found


def check_ref(ref: str) -> str:
    if not STACK_REF.match(ref):
        raise PlanInputError(f"--platform: a fully qualified stack name ORG/PROJECT/STACK (got {ref!r})")
    return ref


def platform_fixtures_text(plan: Plan, ref: str) -> str:
    output, secrets = platform_output(plan)
    body = yaml.safe_dump({"stack_references": {check_ref(ref): {OUTPUT_NAME: output}}}, sort_keys=True, width=100)
    notes = "".join(f"# {p}: a secret, written as a placeholder\n" for p in secrets)
    return (f"# The `{OUTPUT_NAME}` output of {plan.project}/{plan.stack} (offline, up mode) as the stack reference "
            f"{ref}.\n# Written by `aiplatform fixtures`; run it again when the platform changes.\n{notes}{body}")


def _team(output: dict[str, Any], team: str) -> dict[str, Any]:
    teams = output.get("teams") or {}
    if team not in teams:
        raise PlanInputError(f"--team: the platform has no team {team!r}{did_you_mean(team, teams)} (its teams: "
                             f"{', '.join(sorted(teams)) or 'none'})")
    return teams[team]


PULUMI_YAML = """name: {name}
description: {team}'s models, served on the platform {ref}.
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: venv
config:
  platformStack:
    type: string
    description: The platform stack to deploy onto (org/project/stack).
  team:
    type: string
    description: The team this stack belongs to (as defined in the platform's `teams:`).
"""

STACK_YAML = """config:
  {name}:platformStack: {ref}
  {name}:team: {team}
"""

MAIN = '''"""{team}'s team stack: one model behind the platform's gateway, with the team's auth and limits."""

import pulumi

from aiplatform import PlatformRef
from aiplatform.components.kubernetes import InferenceService

config = pulumi.Config()
platform = PlatformRef.from_stack(config.require("platformStack"), team=config.require("team"))

chat = InferenceService("chat", {{
    **platform.inference_args(),                # namespace, service account, registry, gateway, labels
    "model": "chat/my-model/v1",                # weights under {prefix}chat/my-model/v1 of the registry
{accelerator_line}# one of the team's accelerators: {accelerators}
    "gpus": 1,
    "max_replicas": 2,
    "requests_per_minute": 120,
}}, platform.opts())

pulumi.export("modelUri", chat.model_uri)
if platform.gateway_url:
    pulumi.export("baseUrl", chat.path_prefix.apply(lambda p: f"{{platform.gateway_url}}{{p}}/v1"))
'''

TEST = '''"""Offline tests of this stack: `pytest` plans it against {fixtures} (no cloud, no Pulumi CLI)."""

from pathlib import Path

from aiplatform.testing import kubernetes_manifests, plan_project

PROJECT = Path(__file__).resolve().parent.parent


def test_the_model_is_served_in_the_team_namespace():
    plan = plan_project(PROJECT, "dev", fixtures=PROJECT / "{fixtures}")
    deployments = [m for _, m in kubernetes_manifests(plan) if m["kind"] == "Deployment"]
    assert deployments and all(m["metadata"]["namespace"] == "{namespace}" for m in deployments)
'''


def team_project(name: str, ref: str, plan: Plan, team: str | None = None,
                 requirement: str | None = None) -> dict[str, str]:
    """The files of a new team project (relative path -> text) for `team` (default: `name`) on the platform
    planned in `plan` and known to Pulumi as `ref`."""
    if not PROJECT_NAME.match(name):
        raise PlanInputError(f"NAME: lowercase letters, digits and '-', 2 to 50 characters (got {name!r})")
    team = team or name
    output, _ = platform_output(plan)
    entry = _team(output, team)
    accelerators = list(entry.get("accelerators") or []) or ["L4"]
    prefix = entry.get("registryPrefix") or f"teams/{team}/"
    requirement = requirement or f"aiplatform[kubernetes]=={__version__}"
    return {
        "Pulumi.yaml": PULUMI_YAML.format(name=name, team=team, ref=ref),
        "Pulumi.dev.yaml": STACK_YAML.format(name=name, ref=check_ref(ref), team=team),
        "__main__.py": MAIN.format(team=team, prefix=prefix, accelerators=", ".join(accelerators),
                                   accelerator_line=f'    "accelerator": "{accelerators[0]}",'.ljust(48)),
        "requirements.txt": f"{requirement}\npytest>=8\n",
        FIXTURES_FILE: platform_fixtures_text(plan, ref),
        "tests/test_stack.py": TEST.format(fixtures=FIXTURES_FILE, namespace=entry.get("namespace") or team),
        ".gitignore": "venv/\n__pycache__/\n",
    }


def write_project(directory: Path, files: dict[str, str]) -> list[Path]:
    """Write `files` under `directory`, which must not exist or be empty (nothing is overwritten)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise PlanInputError(f"{directory}: exists and is not an empty directory (nothing was written)")
    written = []
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
