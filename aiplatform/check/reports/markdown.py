"""A Markdown pull-request comment: a summary line, a table of what blocks, details folded."""

from __future__ import annotations

from ..findings import CheckReport, Finding
from .formats import Locations


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _table(findings: list[Finding], urls: dict[str, str]) -> list[str]:
    lines = ["| Rule | Severity | Resource | Finding |", "|---|---|---|---|"]
    for f in findings:
        resource = f"`{_cell(f.name)}` ({_cell(f.type)})" if f.urn else "stack"
        detail = _cell(f.message) + (f" — _{_cell(f.suppression)}_" if f.suppression else "")
        lines.append(f"| [`{f.rule}`]({urls.get(f.rule, '')}) | {f.severity} | {resource} | {detail} |")
    return lines


def to_markdown(report: CheckReport, locations: Locations = Locations()) -> str:
    s = report.summary()
    urls = {r.name: locations.doc(r.url) for r in report.rules}
    blocking = [f for f in report.findings if f.blocking]
    advisory = [f for f in report.findings if not f.blocking and f.status in ("violation", "error")]
    suppressed = [f for f in report.findings if f.status == "suppressed"]
    icon = ":x:" if blocking else ":white_check_mark:"
    verdict = f"{len(blocking)} blocking" if blocking else "passed"
    lines = [
        f"### {icon} aiplatform check `{report.project}/{report.stack}`: {verdict}",
        "",
        f"{s['resources']} resources, {s['rules']} rules, {s['checks']} checks: "
        f"**{s['mandatory'] + s['errors']} mandatory**, {s['advisory']} advisory, {s['suppressed']} suppressed.",
        "",
    ]
    if blocking:
        lines += _table(blocking, urls) + [""]
    for title, group in (("Advisory findings", advisory), ("Suppressed findings", suppressed)):
        if group:
            lines += [f"<details><summary>{title} ({len(group)})</summary>", ""]
            lines += _table(group, urls) + ["", "</details>", ""]
    active = report.suppressions
    if active:
        lines += [f"<details><summary>Suppressions ({len(active)})</summary>", "",
                  "| Resource | Rule | Reason | Until | Status |", "|---|---|---|---|---|"]
        lines += [f"| `{_cell(a.name)}` ({_cell(a.type)}) | `{a.rule}` | {_cell(a.reason)} | {a.until or 'no expiry'} "
                  f"| {a.status} |" for a in active]
        lines += ["", "</details>", ""]
    if blocking:
        lines += ["<details><summary>How to fix</summary>", ""]
        for rule in report.rules:
            if any(f.rule == rule.name for f in blocking):
                lines.append(f"- **[`{rule.name}`]({urls[rule.name]})**: {_cell(rule.remediation)}")
        lines += ["", "</details>", ""]
    for key, value in report.extra.items():
        if key == "markdown_sections":
            lines += list(value)
    return "\n".join(lines).rstrip() + "\n"
