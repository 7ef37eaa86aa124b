"""Reading a Pulumi project the way the CLI does: `Pulumi.yaml` and `Pulumi.<stack>.yaml`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import read_yaml
from ..labels import SECRET_PLACEHOLDER
from .errors import PlanInputError

__all__ = ["SECRET_PLACEHOLDER", "ProjectSpec", "load_project", "load_stack_config", "stack_platform"]


@dataclass(frozen=True)
class ProjectSpec:
    root: Path
    name: str
    runtime: str
    program_dir: Path
    stack_config_dir: Path
    defaults: dict[str, Any]

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in self.stack_config_dir.glob("Pulumi.*.yaml"))


def _read_yaml(path: Path, kind: str) -> Any:
    return read_yaml(path, kind, PlanInputError)


def load_project(directory: str | Path) -> ProjectSpec:
    root = Path(directory).resolve()
    path = next((root / n for n in ("Pulumi.yaml", "Pulumi.yml") if (root / n).is_file()), None)
    if path is None:
        raise PlanInputError(f"{root}: no Pulumi.yaml (is this a Pulumi project? use --project DIR)")
    data = _read_yaml(path, "project")
    if not isinstance(data, dict):
        raise PlanInputError(f"{path}: must be a mapping")
    problems = []
    name = data.get("name")
    if not isinstance(name, str) or not name:
        problems.append("name: required")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        problems.append(f"runtime: only python programs can be planned offline (got {runtime_name!r})")
    program_dir = root / str(data.get("main") or ".")
    if not (program_dir / "__main__.py").is_file():
        problems.append(f"main: {program_dir} has no __main__.py")
    stack_dir_name = data.get("stackConfigDir") or "."
    if not isinstance(stack_dir_name, str) or Path(stack_dir_name).is_absolute():
        problems.append(f"stackConfigDir: a directory relative to the project (got {stack_dir_name!r})")
        stack_dir_name = "."
    stack_dir = root / stack_dir_name
    defaults: dict[str, Any] = {}
    config = data.get("config") or {}
    if not isinstance(config, dict):
        problems.append(f"config: a mapping of config keys (got {type(config).__name__})")
        config = {}
    for key, spec in config.items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            defaults[str(key)] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            defaults[str(key)] = spec
    if problems:
        raise PlanInputError("\n".join(f"{path}: {p}" for p in problems))
    return ProjectSpec(root, name, runtime_name, program_dir, stack_dir, defaults)


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _encode(value: Any) -> tuple[str, bool]:
    """A config value as the language host passes it: a string (JSON for structures)."""

    secret = False

    def strip(v: Any) -> Any:
        nonlocal secret
        if isinstance(v, dict):
            if set(v) == {"secure"}:
                secret = True
                return SECRET_PLACEHOLDER
            return {k: strip(x) for k, x in v.items()}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    value = strip(value)
    if isinstance(value, str):
        return value, secret
    if isinstance(value, bool):
        return ("true" if value else "false"), secret
    return json.dumps(value), secret


def load_stack_config(spec: ProjectSpec, stack: str) -> tuple[dict[str, str], list[str]]:
    """The config map and secret keys a program of `stack` receives."""
    path = spec.stack_file(stack)
    if not path.is_file():
        known = ", ".join(spec.stacks()) or "none"
        raise PlanInputError(f"stack {stack!r}: no {os.path.relpath(path, spec.root)} (stacks here: {known})")
    data = _read_yaml(path, "stack") or {}
    if not isinstance(data, dict) or not isinstance(data.get("config", {}), dict):
        raise PlanInputError(f"{path}: must be a mapping with a `config:` mapping")
    raw = {_full_key(spec.name, k): v for k, v in spec.defaults.items()}
    raw.update({_full_key(spec.name, str(k)): v for k, v in (data.get("config") or {}).items()})
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        config[key], secret = _encode(value)
        if secret:
            secret_keys.append(key)
    return config, secret_keys


def stack_platform(directory: str | Path, stack: str, key: str = "aiplatform:platform") -> dict[str, Any]:
    """The raw value of a stack's `aiplatform:platform` config (an empty dict when it has none or it is not an object)."""
    config, _ = load_stack_config(load_project(directory), stack)
    try:
        value = json.loads(config.get(key, "{}"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
