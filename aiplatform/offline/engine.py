"""The offline plan engine: run a Pulumi program under the recording monitor.

`run_program` runs a callable in this process (components in tests);
`plan_project` runs a project's real `__main__.py` for one stack in a fresh
subprocess, the way the Python language host does (DESIGN.md, "The offline
plan engine").
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import json
import os
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pulumi
from pulumi.runtime import settings as _settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack

from .errors import PlanInputError, ProgramError
from .fixtures import Fixtures, load_fixtures
from .monitor import RecordingEngine, RecordingMonitor
from .plan import Plan
from .project import load_project, load_stack_config

Mode = Literal["preview", "up"]
MODES: tuple[str, ...] = ("preview", "up")


def _input_error_types() -> tuple[type[BaseException], ...]:
    from ..config import ConfigError

    return (ConfigError, pulumi.InputPropertiesError, PlanInputError)


def _where(exc: BaseException, root: Path | None) -> str | None:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return None
    chosen = frames[-1]
    if root is not None:
        inside = [f for f in frames if Path(f.filename).resolve().is_relative_to(root) and ".venv" not in f.filename]
        if inside:
            chosen = inside[-1]
    path = Path(chosen.filename)
    if root is not None and path.resolve().is_relative_to(root):
        path = path.resolve().relative_to(root)
    return f"{path}:{chosen.lineno} in {chosen.name}"


def run_program(
    program: Callable[[], Any],
    *,
    project: str = "project",
    stack: str = "dev",
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mode: Mode = "preview",
    fixtures: Fixtures | None = None,
    root: Path | None = None,
) -> Plan:
    """Run `program` as the body of a stack and return what it registered.

    Raises `PlanInputError` for bad config, component args or missing fixtures,
    and `ProgramError` when the program itself fails.
    """
    if mode not in MODES:
        raise PlanInputError(f"mode must be one of {', '.join(MODES)} (got {mode!r})")
    config = dict(config or {})
    region = config.get("aws:region", "us-east-1")
    monitor = RecordingMonitor(project, stack, mode == "preview", fixtures or Fixtures(), root=root, region=region)
    engine = RecordingEngine()
    error: list[BaseException] = []

    def go() -> None:
        _settings.ROOT.set(None)
        _settings.configure(_settings.Settings(
            project=project,
            stack=stack,
            monitor=monitor,
            engine=engine,
            dry_run=mode == "preview",
            organization="organization",
            root_directory=str(root) if root else None,
        ))
        set_all_config(config, secret_keys or [])
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(run_in_stack(program))
        except BaseException as exc:  # noqa: BLE001 - reported below
            error.append(exc)
        finally:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()
            asyncio.set_event_loop(None)
            # A failed run can leave coroutines that were never awaited; finalise them
            # here, quietly, rather than at a random later point (inside compile(),
            # CPython 3.11 reports that as "AST constructor recursion depth mismatch").
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                gc.collect()

    contextvars.copy_context().run(go)

    input_errors = _input_error_types()
    if monitor.failures:
        first = monitor.failures[0]
        if isinstance(first, input_errors):
            raise PlanInputError(str(first))
        raise ProgramError(str(first))
    if error:
        exc = error[0]
        if isinstance(exc, input_errors):
            raise PlanInputError(str(exc)) from None
        if isinstance(exc, pulumi.RunError):
            raise ProgramError(str(exc)) from None
        raise ProgramError(f"{type(exc).__name__}: {exc}", _where(exc, root)) from None
    errors = [d for d in engine.diagnostics if d.severity == "error"]
    if errors:
        raise ProgramError("\n".join(d.message for d in errors))
    return Plan(
        project=project,
        stack=stack,
        mode=mode,
        resources=monitor.records,
        outputs=monitor.stack_outputs,
        diagnostics=engine.diagnostics,
    )


def plan_project(
    project_dir: str | Path = ".",
    stack: str = "aws-dev",
    *,
    mode: Mode = "preview",
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
        raise PlanInputError(result["message"])
    raise ProgramError(result["message"], result.get("where"))
