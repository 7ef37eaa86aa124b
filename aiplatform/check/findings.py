"""Findings of `aiplatform check`: what the analyzer reported, per rule and resource, and the report around them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..guardrails import outside_policy_rule, parse_suppressed_reason, parse_suppressions, suppression_value
from ..shape.plan import Plan, PlannedResource, SourcePosition
from .analyzer import RawDiagnostic, RawNotApplicable

Status = Literal["violation", "error", "suppressed", "not-evaluated"]
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unspecified": 4}
META_RULE = "aip-meta-suppression-valid"


@dataclass
class Finding:
    rule: str
    severity: str
    enforcement: str
    status: Status
    urn: str | None
    type: str | None
    name: str | None
    message: str
    suppression: str | None = None
    source: SourcePosition | None = None

    @property
    def blocking(self) -> bool:
        return self.enforcement == "mandatory" and self.status in ("violation", "error")

    def sort_key(self) -> tuple[Any, ...]:
        return (not self.blocking, self.status == "suppressed", SEVERITY_ORDER.get(self.severity, 9),
                self.rule, self.urn or "", self.message)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["source"] = asdict(self.source) if self.source else None
        out["blocking"] = self.blocking
        return out


@dataclass
class ActiveSuppression:
    """One suppression entry on a resource of the plan, and what became of it."""

    urn: str
    name: str
    type: str
    rule: str
    reason: str
    until: str | None
    #: applied (hid a finding), unused (nothing to hide), refused (outside policy or expired).
    status: str

    def line(self) -> str:
        return (f"{self.name} ({self.type}): {self.rule} — {self.reason} "
                f"(until {self.until or 'no expiry'}; {self.status})")


@dataclass
class RuleSummary:
    name: str
    description: str
    severity: str
    enforcement: str
    remediation: str
    url: str
    tags: list[str]
    kind: str


@dataclass
class CheckReport:
    project: str
    stack: str
    mode: str
    findings: list[Finding]
    rules: list[RuleSummary]
    #: (rule, urn) pairs evaluated: every resource of a type each rule applies to; stack rules with urn None.
    checked: list[tuple[str, str | None]]
    resources: list[PlannedResource]
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def suppressions(self) -> list[ActiveSuppression]:
        """Every suppression entry on a resource of the plan (resource, rule, reason, expiry), in plan order."""
        out: list[ActiveSuppression] = []
        for resource in self.resources:
            value = suppression_value(resource.inputs)
            if not isinstance(value, str):
                continue
            for entry in parse_suppressions(value).entries:
                hits = [f for f in self.findings if f.urn == resource.urn and f.rule == entry.rule]
                status = ("applied" if any(f.status == "suppressed" for f in hits)
                          else "refused" if hits or self._judged(resource.urn, entry.rule) else "unused")
                out.append(ActiveSuppression(resource.urn, resource.name, resource.type, entry.rule, entry.reason,
                                             entry.until.isoformat() if entry.until else None, status))
        return out

    def _judged(self, urn: str, rule: str) -> bool:
        return any(f.rule == META_RULE and f.urn == urn and outside_policy_rule(f.message) == rule
                   for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0

    def summary(self) -> dict[str, int]:
        counts = {"resources": len(self.resources), "rules": len(self.rules), "checks": len(self.checked),
                  "mandatory": 0, "advisory": 0, "errors": 0, "suppressed": 0, "not_evaluated": 0}
        for finding in self.findings:
            if finding.status == "suppressed":
                counts["suppressed"] += 1
            elif finding.status == "not-evaluated":
                counts["not_evaluated"] += 1
            elif finding.status == "error":
                counts["errors"] += 1
            elif finding.enforcement == "mandatory":
                counts["mandatory"] += 1
            else:
                counts["advisory"] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "project": self.project,
            "stack": self.stack,
            "mode": self.mode,
            "passed": self.exit_code == 0,
            "summary": self.summary(),
            "findings": [f.to_dict() for f in self.findings],
            "rules": [asdict(r) for r in self.rules],
            "suppressions": [asdict(s) for s in self.suppressions],
            **self.extra,
        }


def source_of(resource: PlannedResource | None, index: Mapping[str, PlannedResource]) -> SourcePosition | None:
    """Where the finding should point: the resource or its nearest ancestor registered from the project's own code.

    Positions inside libraries (site-packages, or this package when it is checked
    out in the project) are skipped: a pull request changes the program, not them.
    """
    current = resource
    while current is not None:
        src = current.source
        if (src and src.uri and not src.uri.startswith(("/", "aiplatform/"))
                and "site-packages" not in src.uri):
            return src
        current = index.get(current.parent or "")
    return None


def findings_from(diagnostics: list[RawDiagnostic], not_applicable: list[RawNotApplicable], plan: Plan,
                  severities: Mapping[str, str], enforcement: Mapping[str, str]) -> list[Finding]:
    """Turn analyzer responses into findings (the one conversion both the CLI and the tests use)."""
    index = plan.by_urn()
    out: list[Finding] = []

    def make(rule: str, urn: str | None, message: str, status: Status, enforcement_level: str,
             severity: str, suppression: str | None = None) -> Finding:
        resource = index.get(urn or "")
        return Finding(rule=rule, severity=severity, enforcement=enforcement_level, status=status, urn=urn,
                       type=resource.type if resource else None, name=resource.name if resource else None,
                       message=message, suppression=suppression, source=source_of(resource, index))

    for diag in diagnostics:
        message = diag.message
        if message.startswith(diag.description):
            message = message[len(diag.description):].lstrip("\n")
        status: Status = "violation"
        if diag.policy == META_RULE:
            status = "error"
        elif diag.message.startswith("can't run policy"):
            status = "not-evaluated"
        severity = diag.severity if diag.severity != "unspecified" else severities.get(diag.policy, "unspecified")
        out.append(make(diag.policy, diag.urn, message, status, diag.enforcement, severity))
    # A suppression the meta rule judged outside the suppression policy hides nothing: its finding stays a violation.
    refused = {(d.urn, outside_policy_rule(d.message[len(d.description):].lstrip("\n")
                                           if d.message.startswith(d.description) else d.message))
               for d in diagnostics if d.policy == META_RULE}
    for item in not_applicable:
        for urn, message, reason in parse_suppressed_reason(item.reason):
            level = enforcement.get(item.policy, "advisory")
            if (urn, item.policy) in refused:
                out.append(make(item.policy, urn, f"{message} (suppression refused, outside the suppression "
                                f"policy: {reason})", "violation", level, severities.get(item.policy, "unspecified")))
                continue
            out.append(make(item.policy, urn, message, "suppressed", level,
                            severities.get(item.policy, "unspecified"), suppression=reason))
    return sorted(out, key=Finding.sort_key)
