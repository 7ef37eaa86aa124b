"""The terminal report: one block per finding (what blocks first), laid out at the output's width.

A block is a head line (verdict, severity, rule), then the resource's name and type each on a line of their
own and the message wrapped at word boundaries: identifiers as long as a type token never share a narrow
table column, so nothing is folded mid-word at 100 columns or wider.
"""

from __future__ import annotations

from rich.padding import Padding
from rich.text import Text

from ...terminal import Style
from ..findings import CheckReport, Finding

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}
MARK_STYLE = {"BLOCK": "bold red", "advisory": "yellow", "suppressed": "dim"}


def _mark(f: Finding) -> str:
    return "BLOCK" if f.blocking else ("suppressed" if f.status == "suppressed" else "advisory")


def _block(f: Finding) -> tuple[Text, Text]:
    mark = _mark(f)
    head = Text.assemble((f"{mark:<10}", MARK_STYLE[mark]), " ", (f"{f.severity:<8}", SEVERITY_STYLE.get(f.severity, "")),
                         " ", (f.rule, "bold"))
    body = Text()
    if f.urn:
        body.append(f"{f.name}\n", style="bold")
        body.append(f"{f.type}\n", style="dim")
    else:
        body.append("stack\n", style="bold")
    body.append(f.message)
    if f.suppression:
        body.append(f"\nsuppressed: {f.suppression}", style="dim")
    return head, body


def to_text(report: CheckReport, style: Style = Style()) -> str:
    console = style.console()
    for f in (f for f in report.findings if f.status != "not-evaluated"):
        head, body = _block(f)
        console.print(head, overflow="fold")
        console.print(Padding(body, (0, 0, 1, 2)), overflow="fold")
    active = report.suppressions
    if active:
        console.print(f"Suppressions ({len(active)}):", style="bold")
        for entry in active:
            console.print(Padding(Text(entry.line()), (0, 0, 0, 2)), overflow="fold")
    verdict_style = "bold red" if report.exit_code else "bold green"
    console.print(Text(summary_line(report), style=verdict_style), overflow="fold")
    return console.file.getvalue()  # type: ignore[attr-defined]


def summary_line(report: CheckReport) -> str:
    s = report.summary()
    verdict = "FAILED" if report.exit_code else "passed"
    return (f"aiplatform check {report.project}/{report.stack}: {verdict} — {s['resources']} resources, "
            f"{s['rules']} rules, {s['mandatory'] + s['errors']} mandatory, {s['advisory']} advisory, "
            f"{s['suppressed']} suppressed ({report.seconds:.2f} s)")
