"""Reading a Pulumi project the way the CLI does: `Pulumi.yaml` and `Pulumi.<stack>.yaml`."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..files import read_yaml
from ..labels import SECRET_PLACEHOLDER
from .errors import PlanInputError

__all__ = [
    "SECRET_PLACEHOLDER",
    "ProjectSpec",
    "default_stack",
    "find_project",
    "load_project",
    "load_stack_config",
    "locate_problems",
    "stack_platform",
]


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


PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")


def find_project(start: str | Path) -> Path:
    """The directory of the Pulumi project `start` is in: `start` or its nearest parent with a `Pulumi.yaml`,
    as the Pulumi CLI looks for it (so a command run from `stacks/` finds the project above)."""
    here = Path(start).resolve()
    for directory in (here, *here.parents):
        if any((directory / n).is_file() for n in PROJECT_FILES):
            return directory
    raise PlanInputError(f"{here}: no Pulumi.yaml here or in any parent folder "
                         "(is this a Pulumi project? use --project DIR)")


def default_stack(spec: ProjectSpec) -> str:
    """The stack to use when none is named: the project's only stack; with several, the user must choose."""
    stacks = spec.stacks()
    if len(stacks) == 1:
        return stacks[0]
    where = os.path.relpath(spec.stack_config_dir, Path.cwd())
    if not stacks:
        raise PlanInputError(f"{spec.root}: no stack (no Pulumi.<stack>.yaml in {where}); create one, "
                             "e.g. Pulumi.dev.yaml")
    raise PlanInputError(f"{spec.root}: {len(stacks)} stacks, choose one with --stack: {', '.join(stacks)}")


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


def locate(directory: str | Path, stack: str | None) -> tuple[Path, str]:
    """The project directory (`directory` or its nearest parent with a Pulumi.yaml) and the stack to use (`stack`, or
    the project's default stack)."""
    root = find_project(directory)
    return root, stack if stack is not None else default_stack(load_project(root))


def stack_platform(directory: str | Path, stack: str, key: str = "aiplatform:platform") -> dict[str, Any]:
    """The raw value of a stack's `aiplatform:platform` config (an empty dict when it has none or it is not an object)."""
    config, _ = load_stack_config(load_project(directory), stack)
    try:
        value = json.loads(config.get(key, "{}"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"([^\"]*)\"\]")
#: A problem line of a config error: `  - platform.a[0].b: message` (also `note:` lines).
_PROBLEM_LINE = re.compile(r"^(\s*(?:- |note: ))(platform(?:\.[\w-]+|\[[^\]]*\])*): ", re.M)


def _node_at(node: Any, path: str) -> Any:
    """The YAML node at a problem path (`platform` is the config value), or the deepest one that exists."""
    for name, index, quoted, dquoted in _PART.findall(path):
        key = name or quoted or dquoted
        if isinstance(node, yaml.MappingNode) and not index:
            match = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
            if match is None:
                return node
            node = match
        elif isinstance(node, yaml.SequenceNode) and index and int(index) < len(node.value):
            node = node.value[int(index)]
        else:
            return node
    return node


def _key_node(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        return next((k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    return None


def locate_problems(spec: ProjectSpec, stack: str, message: str, key: str = "aiplatform:platform") -> str:
    """`message` with `file:line:col: ` before every `platform...` problem path whose value (or, for an unknown
    key, whose key) is in the stack file; lines it cannot place are left as they are."""
    path = spec.stack_file(stack)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return message
    config = _node_at(root, ".config")
    platform = next((v for k, v in config.value if isinstance(k, yaml.ScalarNode) and k.value == key), None) \
        if isinstance(config, yaml.MappingNode) else None
    if platform is None:
        return message
    shown = os.path.relpath(path, Path.cwd())

    def place(match: re.Match[str]) -> str:
        problem = match.group(2)
        node = _node_at(platform, problem.removeprefix("platform"))
        last = _PART.findall(problem)[-1:] if problem != "platform" else []
        if last and (name := last[0][0] or last[0][2] or last[0][3]):
            node = _key_node(_node_at(platform, problem.removeprefix("platform")[: -len(name) - 1]), name) or node
        mark = node.start_mark
        return f"{match.group(1)}{shown}:{mark.line + 1}:{mark.column + 1}: {problem}: "

    return _PROBLEM_LINE.sub(place, message)


def config_lines(spec: ProjectSpec, stack: str, key: str = "aiplatform:platform") -> dict[str, int]:
    """Where a platform stack file configures its resources: `""` -> the line of `aiplatform:platform`, each GPU
    pool's name -> its entry's line, `team-<name>` -> each team's line. Empty for a stack without that key."""
    try:
        root = yaml.compose(spec.stack_file(stack).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return {}
    config = _node_at(root, ".config")
    found = _key_node(config, key) if isinstance(config, yaml.MappingNode) else None
    if found is None:
        return {}
    platform = _node_at(config, f"['{key}']")
    lines = {"": found.start_mark.line + 1}
    for section, prefix in (("gpu_pools", ""), ("teams", "team-")):
        entries = _node_at(platform, f".{section}")
        for entry in entries.value if isinstance(entries, yaml.SequenceNode) else []:
            name = _node_at(entry, ".name")
            if isinstance(name, yaml.ScalarNode) and entry is not name:
                lines[f"{prefix}{name.value}"] = entry.start_mark.line + 1
    return lines
