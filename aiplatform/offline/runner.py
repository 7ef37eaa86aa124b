"""`plan_project`: run a project's real `__main__.py` for one stack in a fresh subprocess.

This module imports no Pulumi SDK: the calling process (the CLI) stays light,
and the SDK and the program are loaded once, in the subprocess, the way the
Python language host runs a program (DESIGN.md, "The offline plan engine").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..shape.plan import Plan
from .errors import STACK_FILE, PlanInputError, ProgramError
from .fixtures import Fixtures, load_fixtures
from .modes import MODES, Mode
from .project import load_project, load_stack_config, locate_problems


def plan_project(
    project_dir: str | Path = ".",
    stack: str = "aws-dev",
    *,
    mode: Mode | str = "preview",
    fixtures: str | Path | Fixtures | None = None,
    config_overrides: dict[str, Any] | None = None,
    timeout: float = 600,
) -> Plan:
    """Plan a Pulumi project's program for one stack, offline, in a fresh subprocess.

    `config_overrides` replaces config keys (`"aiplatform:platform": {...}`) after
    the stack file is read: handy for testing mutations of a reference stack.
    """
    if mode not in MODES:
        raise PlanInputError(f"mode must be one of {', '.join(MODES)} (got {mode!r})")
    mode = Mode(mode).value
    spec = load_project(project_dir)
    config, secret_keys = load_stack_config(spec, stack)
    for key, value in (config_overrides or {}).items():
        config[key] = value if isinstance(value, str) else json.dumps(value)
    loaded = fixtures if isinstance(fixtures, Fixtures) else load_fixtures(fixtures)
    request = {
        "root": str(spec.root),
        "program_dir": str(spec.program_dir),
        "project": spec.name,
        "stack": stack,
        "mode": mode,
        "config": config,
        "secret_keys": secret_keys,
        "fixtures": loaded.model_dump(),
    }
    with tempfile.TemporaryDirectory(prefix="aiplatform-plan-") as tmp:
        req_path, out_path = Path(tmp, "request.json"), Path(tmp, "result.json")
        req_path.write_text(json.dumps(request), encoding="utf-8")
        env = dict(os.environ)
        env.pop("PULUMI_CONFIG", None)
        proc = subprocess.run(
            [sys.executable, "-m", "aiplatform.offline._child", str(req_path), str(out_path)],
            cwd=spec.program_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if not out_path.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
            raise ProgramError(f"the program's process ended without a result (exit {proc.returncode}):\n{tail}")
        result = json.loads(out_path.read_text(encoding="utf-8"))
    if result["ok"]:
        return Plan.from_dict(result["plan"])
    if result["kind"] == "input":
        message = locate_problems(spec, stack, result["message"])
        raise PlanInputError(message.replace(f" in {STACK_FILE.format(stack=stack)}",
                                             f" in {os.path.relpath(spec.stack_file(stack), Path.cwd())}"))
    raise ProgramError(result["message"], result.get("where"))
