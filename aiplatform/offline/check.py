"""`aiplatform check`: the guardrails evaluated on an offline plan through pulumi_policy's analyzer.

The pack's rules run inside `pulumi_policy`'s own analyzer servicer — the code
the Pulumi CLI talks to during `pulumi preview --policy-pack` — configured with
the same resolved policy config, so verdicts match a real preview. One
difference is for speed only: the servicer deserializes a resource's props once
per policy in the pack, so each resource is sent to a servicer holding just the
policies that apply to its type, and each stack policy gets just the resource
types it reads. A test proves the findings equal those of the whole pack served
over gRPC.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .analyzer import (
    ENFORCEMENT,
    InProcess,
    RawDiagnostic,
    RawNotApplicable,
    ResolvedPolicy,
    analyze_request,
    analyze_stack_request,
    collect,
    configure_request,
    resolve_policy_config,
    stack_configure_request,
)
from ..shape.plan import Plan, PlannedResource, SourcePosition

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
    from ..guardrails import parse_suppressed_reason

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
    for item in not_applicable:
        for urn, message, reason in parse_suppressed_reason(item.reason):
            out.append(make(item.policy, urn, message, "suppressed", enforcement.get(item.policy, "advisory"),
                            severities.get(item.policy, "unspecified"), suppression=reason))
    return sorted(out, key=Finding.sort_key)


class _Servicers:
    """pulumi_policy analyzer servicers for subsets of the pack, configured alike, made on demand."""

    def __init__(self, policies: Mapping[str, Any], resolved: Mapping[str, ResolvedPolicy], plan: Plan) -> None:
        from pulumi_policy import EnforcementLevel
        from pulumi_policy.policy import _PolicyAnalyzerServicer

        from ..guardrails import PACK_NAME

        self._make = lambda chosen: _PolicyAnalyzerServicer(
            PACK_NAME, _pack_version(), chosen, EnforcementLevel.ADVISORY)
        self._policies, self._resolved, self._plan = policies, resolved, plan
        self._cache: dict[tuple[str, ...], InProcess] = {}

    def get(self, names: tuple[str, ...]) -> InProcess:
        service = self._cache.get(names)
        if service is None:
            service = InProcess(self._make([self._policies[n] for n in names]))
            service.Configure(configure_request({n: self._resolved[n] for n in names}))
            service.ConfigureStack(stack_configure_request(self._plan))
            self._cache[names] = service
        return service


def _pack_version() -> str:
    from .. import __version__

    return __version__


def check_plan(plan: Plan, user_config: Mapping[str, Any] | None = None, *, origin: str = "policy config",
               today: dt.date | None = None) -> CheckReport:
    """Evaluate every guardrail on a plan. Raises `PolicyConfigError` for a bad policy config."""
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    from ..guardrails import PACK_NAME, rules

    started = time.perf_counter()
    all_rules = rules()
    policies = {r.name: r.policy(today) for r in all_rules}
    full = InProcess(_PolicyAnalyzerServicer(PACK_NAME, _pack_version(), list(policies.values()),
                                             EnforcementLevel.ADVISORY))
    from google.protobuf import empty_pb2

    resolved = resolve_policy_config(full.GetAnalyzerInfo(empty_pb2.Empty()), user_config or {}, origin)
    enabled = [r for r in all_rules if resolved[r.name].enforcement != "disabled"]
    servicers = _Servicers(policies, resolved, plan)

    diagnostics: list[RawDiagnostic] = []
    not_applicable: list[RawNotApplicable] = []
    checked: list[tuple[str, str | None]] = []
    index = plan.by_urn()
    resource_rules = [r for r in enabled if r.kind == "resource"]
    applicable: dict[str, tuple[str, ...]] = {}
    for resource in plan.resources:
        names = applicable.get(resource.type)
        if names is None:
            names = applicable[resource.type] = tuple(r.name for r in resource_rules if r.applies_to(resource.type))
        if not names:
            continue
        checked.extend((name, resource.urn) for name in names)
        response = servicers.get(names).Analyze(analyze_request(resource, index))
        collect(response, resource.urn, diagnostics, not_applicable)
    for stack_rule in (r for r in enabled if r.kind == "stack"):
        checked.append((stack_rule.name, None))
        response = servicers.get((stack_rule.name,)).AnalyzeStack(analyze_stack_request(plan, stack_rule.types))
        collect(response, None, diagnostics, not_applicable)

    severities = {r.name: r.severity.value for r in all_rules}
    levels = {name: policy.enforcement for name, policy in resolved.items()}
    findings = findings_from(diagnostics, not_applicable, plan, severities, levels)
    summaries = [RuleSummary(r.name, r.description, r.severity.value, levels[r.name], r.remediation, r.url,
                             r.all_tags, r.kind) for r in all_rules]
    report = CheckReport(project=plan.project, stack=plan.stack, mode=plan.mode, findings=findings, rules=summaries,
                         checked=checked, resources=plan.resources, seconds=time.perf_counter() - started)
    _add_cost_summary(report, plan, resolved)
    return report


def _add_cost_summary(report: CheckReport, plan: Plan, resolved: Mapping[str, ResolvedPolicy]) -> None:
    """With a budget configured, the reports carry the estimate: a Markdown section and `cost` in JSON."""
    from ..guardrails.rules.budget import RULE

    policy = resolved.get(RULE)
    if policy is None or policy.enforcement == "disabled" or policy.properties.get("monthlyUsd") is None:
        return
    from ..cost.plan import estimate_plan
    from ..cost.render import estimate_markdown, usd

    estimate = estimate_plan(plan, region=policy.properties.get("region"))
    budget, basis = float(policy.properties["monthlyUsd"]), policy.properties.get("basis", "expected")
    report.extra["cost"] = {"budget": budget, "basis": basis, "totals": estimate.totals.to_dict()}
    verdict = "within" if estimate.totals.get(basis) <= budget else "over"
    report.extra["markdown_sections"] = [
        *report.extra.get("markdown_sections", []),
        f"**Budget**: {usd(budget)} per month ({basis}); the estimate is {usd(estimate.totals.get(basis))}, "
        f"{verdict} budget.", "", estimate_markdown(estimate)]


__all__ = ["ENFORCEMENT", "CheckReport", "Finding", "RuleSummary", "check_plan", "findings_from", "source_of"]
