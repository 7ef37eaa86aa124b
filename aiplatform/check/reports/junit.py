"""JUnit XML: a test suite per rule, a test case per resource it checked (and one per stack rule)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from ..findings import CheckReport, Finding


def to_junit(report: CheckReport) -> str:
    by_case: dict[tuple[str, str | None], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_case[(finding.rule, finding.urn)].append(finding)
    cases: dict[str, list[str | None]] = defaultdict(list)
    for rule, urn in report.checked:
        cases[rule].append(urn)
    for rule, urn in by_case:  # a stack rule may report on a resource it was not "checked" against
        if urn not in cases[rule]:
            cases[rule].append(urn)

    root = ET.Element("testsuites", name=f"aiplatform check {report.project}/{report.stack}")
    active = report.suppressions
    if active:
        props = ET.SubElement(root, "properties")
        for i, entry in enumerate(active):
            ET.SubElement(props, "property", name=f"suppression.{i}", value=entry.line())
    totals = defaultdict(int)
    for rule in report.rules:
        suite = ET.SubElement(root, "testsuite", name=rule.name)
        counts = defaultdict(int)
        for urn in cases.get(rule.name, []):
            case = ET.SubElement(suite, "testcase", classname=rule.name, name=urn or f"stack {report.stack}")
            counts["tests"] += 1
            found = by_case.get((rule.name, urn), [])
            blocking = [f for f in found if f.blocking]
            suppressed = [f for f in found if f.status == "suppressed"]
            advisory = [f for f in found if not f.blocking and f.status != "suppressed"]
            if blocking:
                tag = "error" if any(f.status == "error" for f in blocking) else "failure"
                element = ET.SubElement(case, tag, message=blocking[0].message, type=rule.severity)
                element.text = "\n".join(f.message for f in blocking) + f"\n\nRemediation: {rule.remediation}"
                counts["errors" if tag == "error" else "failures"] += 1
            elif suppressed and not advisory:
                ET.SubElement(case, "skipped", message=f"suppressed: {suppressed[0].suppression}")
                counts["skipped"] += 1
            if advisory:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(f"advisory: {f.message}" for f in advisory)
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(counts[key]))
            totals[key] += counts[key]
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    root.set("time", f"{report.seconds:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
