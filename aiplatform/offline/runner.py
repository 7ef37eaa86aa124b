"""`plan_project`: run a project's real `__main__.py` for one stack in a fresh subprocess.

This module imports no Pulumi SDK: the calling process (the CLI) stays light,
and the SDK and the program are loaded once, in the subprocess, the way the
Python language host runs a program (DESIGN.md, "The offline plan engine").
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .. import _prestart
from ..shape.plan import Plan
from . import planserver
from .errors import STACK_FILE, PlanInputError, ProgramError
from .fixtures import Fixtures, load_fixtures
from .modes import MODES, Mode
from .project import load_project, load_stack_config, locate_problems

#: A directory of plan results kept by their whole input (the request, the program's Python sources, the
#: interpreter and the AIPLATFORM_*/PULUMI_* settings; a YAML program's files too), for a test suite whose CLI runs plan the same input many
#: times (tests/conftest.py sets it for the session). Unset, as users have it: every plan runs its program.
CACHE_ENV = "AIPLATFORM_PLAN_CACHE"
_NOT_SOURCE = {"__pycache__", ".venv", "venv", ".git", "node_modules", ".pytest_cache", ".hypothesis"}


def _cache_file(request: dict[str, Any], program_dir: Path) -> Path | None:
    where = os.environ.get(CACHE_ENV)
    if not where:
        return None
    digest = hashlib.sha256(json.dumps([request, sys.executable], sort_keys=True).encode())
    for key in sorted(os.environ):
        if key.startswith(("AIPLATFORM_", "PULUMI_")) and key != CACHE_ENV:
            digest.update(f"{key}={os.environ[key]}\0".encode())
    for folder, dirs, files in os.walk(program_dir):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_SOURCE)
        for name in sorted(f for f in files if f.endswith((".py", ".yaml", ".yml"))):
            path = Path(folder, name)
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return Path(where, f"{digest.hexdigest()}.json")


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
    cached = _cache_file(request, spec.program_dir)
    if cached is not None and cached.is_file():
        result = json.loads(cached.read_text(encoding="utf-8"))
    else:
        result = _run(request, spec.program_dir, timeout)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            part = cached.with_suffix(f".{os.getpid()}.tmp")
            part.write_text(json.dumps(result), encoding="utf-8")
            part.replace(cached)  # readers never see half a file
    if result["ok"]:
        return Plan.from_dict(result["plan"])
    if result["kind"] == "input":
        message = locate_problems(spec, stack, result["message"])
        raise PlanInputError(message.replace(f" in {STACK_FILE.format(stack=stack)}",
                                             f" in {os.path.relpath(spec.stack_file(stack), Path.cwd())}"))
    raise ProgramError(result["message"], result.get("where"))


def _run(request: dict[str, Any], program_dir: Path, timeout: float) -> dict[str, Any]:
    """The planning subprocess's result for `request`: from the one the CLI started early (`aiplatform._prestart`,
    waiting with the engine imported), or from one started here."""
    started = _prestart.take()
    if started is not None:
        try:
            code, stdout, stderr = started.finish(json.dumps(request), timeout)
            return _result(Path(started.result), code, stdout, stderr)
        finally:
            started.discard()
    with tempfile.TemporaryDirectory(prefix="aiplatform-plan-") as tmp:
        req_path, out_path = Path(tmp, "request.json"), Path(tmp, "result.json")
        req_path.write_text(json.dumps(request), encoding="utf-8")
        env = dict(os.environ)
        env.pop("PULUMI_CONFIG", None)
        argv = [str(req_path), str(out_path)]
        served = planserver.submit(argv, env, program_dir, timeout)  # a test suite's server, if it has one
        if served is not None:
            return _result(out_path, served[0], "", served[1])
        proc = subprocess.run(
            [sys.executable, "-m", "aiplatform.offline._child", *argv],
            cwd=program_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return _result(out_path, proc.returncode, proc.stdout, proc.stderr)


def _result(out_path: Path, code: int, stdout: str, stderr: str) -> dict[str, Any]:
    if not out_path.is_file():
        tail = "\n".join((stderr or stdout).strip().splitlines()[-20:])
        raise ProgramError(f"the program's process ended without a result (exit {code}):\n{tail}")
    return json.loads(out_path.read_text(encoding="utf-8"))
