"""SARIF 2.1.0, as GitHub code scanning reads it: one rule per guardrail, results located at the stack file's
line that configures the resource (a platform stack), else in the program."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from ..._version import __version__
from ..findings import CheckReport, Finding
from .formats import Locations

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: GitHub maps `security-severity` to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low (< 4.0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "unspecified": "0.0"}


def _level(enforcement: str, severity: str) -> str:
    if enforcement == "mandatory":
        return "error"
    return "note" if severity == "low" else "warning"


def _location(finding: Finding, locations: Locations) -> list[dict[str, Any]]:
    physical: dict[str, Any] | None = None
    line = locations.config_line(finding.name)
    if line is not None and locations.config_file:
        physical = {"artifactLocation": {"uri": locations.config_file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line}}
    elif finding.source is not None:
        physical = {"artifactLocation": {"uri": locations.path(finding.source.uri), "uriBaseId": "%SRCROOT%"}}
        if finding.source.line >= 1:
            physical["region"] = {"startLine": finding.source.line}
    elif locations.fallback:
        physical = {"artifactLocation": {"uri": locations.fallback, "uriBaseId": "%SRCROOT%"}}
    location: dict[str, Any] = {}
    if physical:
        location["physicalLocation"] = physical
    if finding.urn:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.urn, "name": finding.name or finding.urn,
                                         "kind": "resource"}]
    return [location] if location else []


def to_sarif(report: CheckReport, locations: Locations = Locations()) -> dict[str, Any]:
    rule_index = {rule.name: i for i, rule in enumerate(report.rules)}
    rules = [{
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.remediation, "markdown": f"**Remediation:** {rule.remediation}\n\n[Docs]({locations.doc(rule.url)})"},
        "helpUri": locations.doc(rule.url),
        "defaultConfiguration": {"level": _level(rule.enforcement, rule.severity)
                                 if rule.enforcement != "disabled" else "none"},
        "properties": {"tags": rule.tags, "security-severity": SECURITY_SEVERITY[rule.severity],
                       "precision": "high", "enforcement": rule.enforcement},
    } for rule in report.rules]
    results = []
    for finding in report.findings:
        if finding.status == "not-evaluated":
            continue
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _level(finding.enforcement, finding.severity),
            "message": {"text": f"{finding.name or report.stack}: {finding.message}" if finding.message
                        else (finding.name or report.stack)},
            "locations": _location(finding, locations),
            "partialFingerprints": {"aiplatformFinding/v1": hashlib.sha256(
                f"{finding.rule}\0{finding.urn}\0{finding.message}".encode()).hexdigest()},
            "properties": {"urn": finding.urn, "resourceType": finding.type, "enforcement": finding.enforcement,
                           "status": finding.status},
        }
        if finding.rule in rule_index:
            result["ruleIndex"] = rule_index[finding.rule]
        if finding.status == "suppressed":
            result["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                       "justification": finding.suppression or ""}]
        elif "suppression refused" in finding.message:
            result["suppressions"] = [{"kind": "inSource", "status": "rejected",
                                       "justification": finding.message}]
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "aiplatform",
                "fullName": "aiplatform check (Pulumi guardrails)",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/aiplatform-dev/aiplatform",
                "rules": rules,
            }},
            "automationDetails": {"id": f"aiplatform-check/{report.project}/{report.stack}/"},
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"suppressions": [asdict(a) for a in report.suppressions]},
        }],
    }
