"""The offline plan engine: run a Pulumi program under the recording monitor.

`run_program` runs a callable in this process, under the recording monitor
(components in tests, and the body of the subprocess `runner.plan_project`
starts for a whole project).
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import inspect
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as _settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack

from ..problems import UserError
from ..shape.plan import Plan
from .errors import STACK_FILE, PlanInputError, ProgramError
from .fixtures import Fixtures
from .modes import MODES, Mode
from .monitor import RecordingEngine, RecordingMonitor


def _close_abandoned(coro: Any) -> None:
    """Close the coroutines a task about to be cancelled holds and has not started awaiting.

    The SDK builds an Output from coroutines it creates eagerly (`Output(r, value.future(), value.is_known())`
    in `StackReference.get_output`) and awaits them one after the other in a task; when the run fails, that
    task is cancelled while it waits for the first, and the others would be finalised unawaited ("coroutine
    'Output.future' was never awaited"). Closing one that has not started is what finalising it does, quietly.
    """
    if not inspect.iscoroutine(coro) or inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED:
        return
    for value in inspect.getcoroutinelocals(coro).values():
        if inspect.iscoroutine(value) and inspect.getcoroutinestate(value) == inspect.CORO_CREATED:
            value.close()


def _where(exc: BaseException, root: Path | None) -> str | None:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return None
    chosen = frames[-1]
    if root is not None:
        inside = [f for f in frames if Path(f.filename).resolve().is_relative_to(root) and "site-packages" not in f.filename]
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
    mode: Mode | str = "preview",
    fixtures: Fixtures | None = None,
    root: Path | None = None,
    final_collect: bool = True,
) -> Plan:
    """Run `program` as the body of a stack and return what it registered.

    `final_collect=False` leaves out the garbage collection after the event loop closes (the
    planning subprocess's `speedups.skip_final_collect`: it exits without finalising anything).

    Raises `PlanInputError` for bad config, component args or missing fixtures,
    and `ProgramError` when the program itself fails.
    """
    if mode not in MODES:
        raise PlanInputError(f"mode must be one of {', '.join(MODES)} (got {mode!r})")
    mode = Mode(mode).value
    config = dict(config or {})
    region = config.get("aws:region") or config.get("gcp:region") or "us-east-1"
    monitor = RecordingMonitor(project, stack, mode == "preview", fixtures or Fixtures(), root=root, region=region,
                               config=config, secret_keys=secret_keys)
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
                _close_abandoned(task.get_coro())
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()
            asyncio.set_event_loop(None)
            # Finalise what the failed run left here rather than at a random later point (inside
            # compile(), CPython 3.11 reports that as "AST constructor recursion depth mismatch").
            if final_collect:
                gc.collect()

    contextvars.copy_context().run(go)

    #: What the user must fix (exit 2): every `UserError` of the library, and bad component arguments.
    input_errors = (UserError, pulumi.InputPropertiesError)
    if monitor.failures:
        first = monitor.failures[0]
        if isinstance(first, input_errors):
            raise PlanInputError(str(first))
        raise ProgramError(str(first))
    if error:
        exc = error[0]
        if isinstance(exc, input_errors):
            raise PlanInputError(str(exc)) from None
        if isinstance(exc, pulumi.ConfigMissingError):  # a `config.require` key: the user's to set (exit 2)
            raise PlanInputError(f"missing config: the program requires {exc.key!r}; add `{exc.key}: <value>` "
                                 f"under `config:` in {STACK_FILE.format(stack=stack)}") from None
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
