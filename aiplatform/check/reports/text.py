"""A readable table for the terminal: mandatory findings first."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from ..findings import CheckReport

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def to_text(report: CheckReport, width: int = 160) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, highlight=False, force_terminal=False, color_system=None)
    shown = [f for f in report.findings if f.status != "not-evaluated"]
    if shown:
        table = Table(show_lines=False, expand=False)
        for column in ("", "rule", "severity", "resource", "finding"):
            table.add_column(column, overflow="fold")
        for f in shown:
            mark = "BLOCK" if f.blocking else ("suppressed" if f.status == "suppressed" else "advisory")
            message = f.message + (f" [suppressed: {f.suppression}]" if f.suppression else "")
            resource = f"{f.name} ({f.type})" if f.urn else "stack"
            table.add_row(mark, f.rule, f"[{STYLE.get(f.severity, '')}]{f.severity}[/]", resource, message)
        console.print(table)
    active = report.suppressions
    if active:
        console.print(f"Suppressions ({len(active)}):")
        for entry in active:
            console.print(f"  {entry.line()}", markup=False)
    console.print(summary_line(report))
    return buffer.getvalue()


def summary_line(report: CheckReport) -> str:
    s = report.summary()
    verdict = "FAILED" if report.exit_code else "passed"
    return (f"aiplatform check {report.project}/{report.stack}: {verdict} — {s['resources']} resources, "
            f"{s['rules']} rules, {s['mandatory'] + s['errors']} mandatory, {s['advisory']} advisory, "
            f"{s['suppressed']} suppressed ({report.seconds:.2f} s)")
