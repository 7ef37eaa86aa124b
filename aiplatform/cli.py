"""The `aiplatform` command: plan | check | cost | schema | fixtures | init team.

Exit codes: 0 success, 1 the program failed, 2 bad input (usage, config,
fixtures). Errors are one clear message on stderr, never a traceback.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":  # `python -m aiplatform.cli`: start the planning subprocess before the imports below
    from ._prestart import prestart

    prestart(sys.argv[1:])

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .check.reports.formats import Format as CheckFormat
from .offline.modes import Mode
from .offline.project import locate, stack_platform

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


def _version(value: bool) -> None:
    if value:
        from ._version import __version__

        typer.echo(f"aiplatform {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False) -> None:
    """Plan and check an AI platform built with aiplatform, offline."""


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


def _style(output: Path | None) -> Any:
    """Width and colour for text written to stdout (the terminal's, or a fixed width off a terminal) or to `-o`."""
    from .terminal import style_for

    return style_for(None if output is not None else sys.stdout)


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
    """`text` with every secret value of `plan` masked (`Plan.scrub`), unless `show_secrets`."""
    return text if show_secrets else plan.scrub(text)


ProjectOpt = Annotated[Path, typer.Option("--project", "-C", help="Directory of the Pulumi project.")]
StackOpt = Annotated[str | None, typer.Option("--stack", "-s", help=(
    "Stack name (Pulumi.<stack>.yaml); default: the project's only stack (with several, required)."))]


def _fixtures(root: Path, given: Path | None) -> Path | None:
    """`--fixtures`, or the project's own `platform-fixtures.yaml` (what `aiplatform init team` writes)."""
    from .offline.scaffold import FIXTURES_FILE

    if given is not None:
        return given
    own = root / FIXTURES_FILE
    return own if own.is_file() else None


def _today() -> Any:
    import datetime as dt

    return dt.date.today()


def _stack_warnings(project: Path, stack: str) -> tuple[dict[str, Any], list[str]]:
    """The stack's raw platform config and its warnings (an EKS version near its end of standard support). Read
    before the plan, beside the planning subprocess's imports (`aiplatform._prestart`), not after it: it raises
    what the plan's own first step (reading the same stack file) would, and the warnings are printed after a plan."""
    from .catalog.eks import platform_warnings

    platform = stack_platform(project, stack)
    return platform, platform_warnings(platform, _today())


def _config_warnings(messages: list[str]) -> None:
    """Print the stack's config warnings on stderr, where they do not mix with a JSON or Markdown report."""
    for message in messages:
        err.print(f"[yellow]warning[/]: {message}", soft_wrap=True)


@app.command()
def plan(
    project: ProjectOpt = Path("."),
    stack: StackOpt = None,
    mode: Annotated[Mode, typer.Option(help="preview: computed values unknown; up: fixture outputs.")] = Mode.preview,
    fmt: Annotated[PlanFormat, typer.Option("--format", "-f", help="Output format.")] = PlanFormat.text,
    fixtures: Annotated[
        Path | None, typer.Option(help="Invoke results, stack-reference outputs and up-mode outputs (YAML/JSON); "
                                       "default: the project's platform-fixtures.yaml if it has one.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    show_secrets: ShowSecretsOpt = False,
    detail: Annotated[bool, typer.Option(
        "--detail", help="Every resource with its full type token (default: components with their key resources, "
                         "helpers folded into counts).")] = False,
) -> None:
    """Show what a stack's program would register, offline: components, key facts, outputs."""
    from .offline import plan_project
    from .offline.render import render_text

    _check_output(output)
    with _exit_codes():
        project, stack = locate(project, stack)
        _, warnings = _stack_warnings(project, stack)
        result = plan_project(project, stack, mode=mode, fixtures=_fixtures(project, fixtures))
        _config_warnings(warnings)
    if fmt is PlanFormat.json:
        _write((result if show_secrets else result.redacted()).to_json(), output)
    else:
        console = _style(output).console()
        render_text(result, console, show_secrets, detail=detail)
        _write(_scrub(console.file.getvalue(), result, show_secrets), output)


def _locations(project: Path, stack: str, docs_url: str | None = None) -> Any:
    """Repository-relative paths for report locations (SARIF), seen from the working directory."""
    import os

    from .check.reports import Locations
    from .offline.project import config_lines, load_project

    config: dict[str, int] = {}
    try:
        spec = load_project(project)
        fallback = os.path.relpath(spec.stack_file(stack), Path.cwd())
        config = config_lines(spec, stack)
    except Exception:  # noqa: BLE001 - a plan file checked without its project
        fallback = None
    prefix = os.path.relpath(project.resolve(), Path.cwd())
    return Locations(prefix="" if prefix == "." else prefix, fallback=fallback, docs_url=docs_url,
                     config_file=fallback if config else None, config=config)


@app.command()
def check(
    project: ProjectOpt = Path("."),
    stack: StackOpt = None,
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
    docs_url: Annotated[str | None, typer.Option(
        "--docs-url", envvar="AIPLATFORM_DOCS_URL",
        help="Base URL of the guardrail docs in SARIF and Markdown links (a fork's or a mirror's docs/guardrails.md).")
    ] = None,
) -> None:
    """Evaluate the guardrails on a stack's preview, offline. Exit 1 on a mandatory violation."""
    from .check.analyzer import load_policy_config
    from .check.baseline import load_baseline, with_baseline
    from .check.reports import render
    from .check.runner import check_plan, with_stack_budget
    from .offline import plan_project

    _check_output(output)
    with _exit_codes():
        user_config = load_policy_config(policy_config)
        before = load_baseline(baseline) if baseline is not None else None
        if plan_file is not None:
            result = _read_plan(plan_file)
        else:
            project, stack = locate(project, stack)
            platform, warnings = _stack_warnings(project, stack)
            result = plan_project(project, stack, mode="preview", fixtures=_fixtures(project, fixtures))
            user_config = with_stack_budget(user_config, platform)
            _config_warnings(warnings)
        report = check_plan(result, user_config, origin=str(policy_config or "policy config"))
        if before is not None:
            report = with_baseline(report, before, result, origin=str(baseline))
    locations = _locations(project, result.stack if plan_file else str(stack), docs_url)
    _write(_scrub(render(report, fmt, locations, _style(output)), result, show_secrets), output)
    if output is not None and fmt is not CheckFormat.text:
        from .check.reports.text import summary_line

        err.print(summary_line(report), markup=False, soft_wrap=True)
    raise typer.Exit(report.exit_code)


@app.command()
def cost(
    project: ProjectOpt = Path("."),
    stack: StackOpt = None,
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
        if plan_file is not None:
            result = _read_plan(plan_file)
        else:
            project, stack = locate(project, stack)
            _, warnings = _stack_warnings(project, stack)
            result = plan_project(project, stack, mode="preview", fixtures=_fixtures(project, fixtures))
            _config_warnings(warnings)
        estimate = estimate_plan(result, usage_spec)
    if allocation is not None:
        comparison = a.compare(estimate, allocation)
        text = a.comparison_json(comparison) if fmt == CostFormat.json else a.comparison_text(comparison)
        _write(_scrub(text, result, show_secrets), output)
        return
    if before is None:
        text = (r.estimate_text(estimate, _style(output), usage_given=usage is not None) if fmt is CostFormat.text else
                {CostFormat.json: r.estimate_json, CostFormat.markdown: r.estimate_markdown}[fmt](estimate))
    else:
        change = diff(before, estimate)
        text = (r.diff_text(change, _style(output)) if fmt is CostFormat.text else
                {CostFormat.json: r.diff_json, CostFormat.markdown: r.diff_markdown}[fmt](change))
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


@app.command()
def fixtures(
    project: ProjectOpt = Path("."),
    stack: StackOpt = None,
    ref: Annotated[str | None, typer.Option(
        "--as", help="The stack reference name team stacks use, ORG/PROJECT/STACK (default: "
                     "organization/<project>/<stack>).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Write the StackReference fixture a team stack needs: the platform's up-mode `aiplatform` output."""
    from .offline import plan_project
    from .offline.scaffold import platform_fixtures_text

    _check_output(output)
    with _exit_codes():
        project, stack = locate(project, stack)
        result = plan_project(project, stack, mode="up")
        text = platform_fixtures_text(result, ref or f"organization/{result.project}/{stack}")
    _write(text, output)


init_app = typer.Typer(help="Scaffold a project.", no_args_is_help=True)
app.add_typer(init_app, name="init")


@init_app.command("team")
def init_team(
    name: Annotated[str, typer.Argument(help="The team project's name (and directory).")],
    platform: Annotated[str, typer.Option(
        "--platform", help="The platform stack the team deploys onto, ORG/PROJECT/STACK (its last part is the "
                           "stack planned here).")],
    project: ProjectOpt = Path("."),
    team: Annotated[str | None, typer.Option(help="The team in the platform's `teams:` (default: NAME).")] = None,
    directory: Annotated[Path | None, typer.Option("--dir", help="Where to write it (default: ./NAME).")] = None,
    requirement: Annotated[str | None, typer.Option(
        help="The requirements.txt line that installs aiplatform (default: aiplatform[kubernetes]==<this version>).")
    ] = None,
) -> None:
    """Scaffold a team project that plans, checks and tests offline as generated."""
    from .offline import plan_project
    from .offline.scaffold import check_ref, team_project, write_project

    target = directory if directory is not None else Path(name)
    with _exit_codes():
        stack = check_ref(platform).rsplit("/", 1)[1]
        root, stack = locate(project, stack)
        result = plan_project(root, stack, mode="up")
        written = write_project(target, team_project(name, platform, result, team, requirement))
    for path in written:
        err.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)
    err.print(f"next: cd {target} && aiplatform plan && aiplatform check && python -m pytest -q",
              markup=False, highlight=False, soft_wrap=True)


def main() -> None:
    """Run the app, then leave without the interpreter's teardown (`aiplatform._exit`)."""
    from ._exit import run

    run(app)


if __name__ == "__main__":
    main()
