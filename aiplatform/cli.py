"""The `aiplatform` command: plan | check | cost | schema.

Exit codes: 0 success, 1 the program failed, 2 bad input (usage, config,
fixtures). Errors are one clear message on stderr, never a traceback.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .check.reports.formats import Format as CheckFormat
from .offline.modes import Mode

app = typer.Typer(
    name="aiplatform",
    help="Plan and check an AI platform built with aiplatform, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


class PlanFormat(str, Enum):
    text = "text"
    json = "json"


class CostFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _fail(code: int, message: str) -> None:
    err.print(f"[bold red]error[/]: {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Bad input (any `UserError`) exits 2, a failing program 1; one message on stderr, no traceback."""
    from .offline.errors import ProgramError
    from .problems import UserError

    try:
        yield
    except UserError as exc:
        _fail(2, str(exc))
    except ProgramError as exc:
        _fail(1, str(exc))


def _check_output(output: Path | None) -> None:
    """Refuse an `-o` target that cannot be written before any work: exit 2, one line."""
    from .files import check_output

    with _exit_codes():
        check_output(output)


def _write(text: str, output: Path | None) -> None:
    """stdout, or `-o`: a regular file (or a symlink's target) replaced atomically, a FIFO or terminal written
    directly; exit 2 when it cannot be written, with no temporary file left behind."""
    from .files import write_output

    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    with _exit_codes():
        write_output(text, output)


ShowSecretsOpt = Annotated[bool, typer.Option(
    "--show-secrets", help="Print secret values (default: every secret, at any depth, is masked).")]


def _scrub(text: str, plan: Any, show_secrets: bool) -> str:
    """`text` with every secret value of `plan` masked as `[secret]` (also JSON-escaped), unless `show_secrets`."""
    if show_secrets:
        return text
    for value in sorted(plan.secret_values(), key=len, reverse=True):
        for form in {value, json.dumps(value)[1:-1]}:
            text = text.replace(form, "[secret]")
    return text


ProjectOpt = Annotated[Path, typer.Option("--project", "-C", help="Directory of the Pulumi project.")]
StackOpt = Annotated[str, typer.Option("--stack", "-s", help="Stack name (Pulumi.<stack>.yaml).")]


@app.command()
def plan(
    project: ProjectOpt = Path("."),
    stack: StackOpt = "aws-dev",
    mode: Annotated[Mode, typer.Option(help="preview: computed values unknown; up: fixture outputs.")] = Mode.preview,
    fmt: Annotated[PlanFormat, typer.Option("--format", "-f", help="Output format.")] = PlanFormat.text,
    fixtures: Annotated[
        Path | None, typer.Option(help="Invoke results, stack-reference outputs and up-mode outputs (YAML/JSON).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    show_secrets: ShowSecretsOpt = False,
) -> None:
    """Show every resource a stack's program would register, offline."""
    from .offline import plan_project
    from .offline.render import render_text

    _check_output(output)
    with _exit_codes():
        result = plan_project(project, stack, mode=mode, fixtures=fixtures)
    if fmt is PlanFormat.json:
        _write((result if show_secrets else result.redacted()).to_json(), output)
    elif output is not None:
        console = Console(record=True, width=160, file=io.StringIO())
        render_text(result, console, show_secrets)
        _write(_scrub(console.export_text(), result, show_secrets), output)
    else:
        render_text(result, Console(highlight=False), show_secrets)


def _locations(project: Path, stack: str) -> Any:
    """Repository-relative paths for report locations (SARIF), seen from the working directory."""
    import os

    from .check.reports import Locations
    from .offline.project import load_project

    try:
        spec = load_project(project)
        fallback = os.path.relpath(spec.stack_file(stack), Path.cwd())
    except Exception:  # noqa: BLE001 - a plan file checked without its project
        fallback = None
    prefix = os.path.relpath(project.resolve(), Path.cwd())
    return Locations(prefix="" if prefix == "." else prefix, fallback=fallback)


@app.command()
def check(
    project: ProjectOpt = Path("."),
    stack: StackOpt = "aws-dev",
    policy_config: Annotated[Path | None, typer.Option(
        "--policy-config", help="Policy config JSON, the format `pulumi preview --policy-pack-config` takes.")] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="Report format.")] = CheckFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    plan_file: Annotated[Path | None, typer.Option(
        "--plan", help="Check this plan (`aiplatform plan --format json`) instead of planning the project.")] = None,
    fixtures: Annotated[
        Path | None, typer.Option(help="Invoke results and stack-reference outputs for planning (YAML/JSON).")
    ] = None,
    show_secrets: ShowSecretsOpt = False,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="The plan JSON of the base branch (`aiplatform plan --format json`): also fail when a "
                           "protection is removed or a stateful resource is replaced.")] = None,
) -> None:
    """Evaluate the guardrails on a stack's preview, offline. Exit 1 on a mandatory violation."""
    from .check.analyzer import load_policy_config
    from .check.baseline import load_baseline, with_baseline
    from .check.reports import render
    from .check.runner import check_plan, with_stack_budget
    from .offline import plan_project
    from .offline.project import stack_platform

    _check_output(output)
    with _exit_codes():
        user_config = load_policy_config(policy_config)
        before = load_baseline(baseline) if baseline is not None else None
        if plan_file is not None:
            result = _read_plan(plan_file)
        else:
            result = plan_project(project, stack, mode="preview", fixtures=fixtures)
            user_config = with_stack_budget(user_config, stack_platform(project, stack))
        report = check_plan(result, user_config, origin=str(policy_config or "policy config"))
        if before is not None:
            report = with_baseline(report, before, result, origin=str(baseline))
    locations = _locations(project, result.stack if plan_file else stack)
    _write(_scrub(render(report, fmt, locations), result, show_secrets), output)
    if output is not None and fmt is not CheckFormat.text:
        from .check.reports.text import summary_line

        err.print(summary_line(report), markup=False)
    raise typer.Exit(report.exit_code)


@app.command()
def cost(
    project: ProjectOpt = Path("."),
    stack: StackOpt = "aws-dev",
    fmt: Annotated[CostFormat, typer.Option("--format", "-f", help="Output format.")] = CostFormat.text,
    usage: Annotated[Path | None, typer.Option(
        help="Usage file (YAML): GB stored, data processed, expected node counts.")] = None,
    baseline: Annotated[Path | None, typer.Option(
        help="An earlier `aiplatform cost --format json` (or plan JSON): show the difference.")] = None,
    plan_file: Annotated[Path | None, typer.Option(
        "--plan", help="Price this plan (`aiplatform plan --format json`) instead of planning the project.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    fixtures: Annotated[
        Path | None, typer.Option(help="Invoke results and stack-reference outputs for planning (YAML/JSON).")
    ] = None,
    show_secrets: ShowSecretsOpt = False,
    actual: Annotated[Path | None, typer.Option(
        help="An OpenCost allocation export (its /allocation API's JSON): compare it with the estimate per team "
             "and component.")] = None,
) -> None:
    """Estimate a stack's monthly cost (idle, expected, peak) from list prices, offline."""
    from .cost import actual as a
    from .cost import diff, load_usage
    from .cost import render as r
    from .cost.plan import estimate_plan, load_baseline
    from .offline import plan_project

    _check_output(output)
    with _exit_codes():
        allocation = a.load_allocation(actual) if actual is not None else None
        usage_spec = load_usage(usage) if usage is not None else None
        before = load_baseline(baseline, usage_spec) if baseline is not None else None
        result = _read_plan(plan_file) if plan_file is not None else plan_project(
            project, stack, mode="preview", fixtures=fixtures)
        estimate = estimate_plan(result, usage_spec)
    if allocation is not None:
        comparison = a.compare(estimate, allocation)
        text = a.comparison_json(comparison) if fmt == CostFormat.json else a.comparison_text(comparison)
        _write(_scrub(text, result, show_secrets), output)
        return
    if before is None:
        text = {CostFormat.text: r.estimate_text, CostFormat.json: r.estimate_json,
                CostFormat.markdown: r.estimate_markdown}[fmt](estimate)
    else:
        change = diff(before, estimate)
        text = {CostFormat.text: r.diff_text, CostFormat.json: r.diff_json,
                CostFormat.markdown: r.diff_markdown}[fmt](change)
    _write(_scrub(text, result, show_secrets), output)


def _read_plan(path: Path) -> Any:
    from .cost.plan import parse_plan
    from .files import read_json
    from .offline.errors import PlanInputError

    return parse_plan(read_json(path, "plan", PlanInputError), str(path), PlanInputError)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the `aiplatform:platform` stack config."""
    from .config import json_schema

    _check_output(output)
    _write(json.dumps(json_schema(), indent=2), output)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
